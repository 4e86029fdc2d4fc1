namespace BatchExports.Api.Commands.GenerateEvents;

internal sealed record WebProfile(string Os, string OsVersion, string Browser, double BrowserVersion, string DeviceType, int ScreenWidth, int ScreenHeight);

internal sealed record AppProfile(string Os, string OsVersion, string Lib, string LibVersion, string DeviceType, string DeviceModel);

internal sealed record Place(string CountryCode, string CountryName, string City, string TimeZone, string IpPrefix);

internal sealed record Page(string Host, string Path, string Title)
{
    public string Url { get; } = $"https://{Host}{Path}";
}

internal enum ClickId { None, Google, Facebook }

internal sealed record Campaign(
    string Channel, string Referrer, string ReferringDomain,
    string? UtmSource = null, string? UtmMedium = null, string? UtmCampaign = null, string? UtmContent = null, string? UtmTerm = null,
    ClickId ClickId = ClickId.None);

internal sealed record Product(string Id, string Name, string Category, double Price);

internal sealed record Element(string Chain, string Text, string? Href)
{
    public bool IsExternalLink => Href?.StartsWith("https://", StringComparison.Ordinal) == true;
}

internal enum EventKind
{
    Pageview, Autocapture, Pageleave, WebVitals, FeatureFlagCalled, Rageclick, Exception,
    ProductViewed, AddToCart, CheckoutStarted, Purchase, SignUp, Identify, Set, SearchPerformed,
}

/// <summary>The values synthetic data is drawn from, shaped like what PostHog's web and mobile SDKs send.</summary>
internal static class SyntheticCatalog
{
    public const string ProjectToken = "phc_SyntheticProjectToken0000000000000000000";
    public const string WebLibVersion = "1.160.3";
    public const string AppName = "Example Shop";

    public static readonly Weighted<WebProfile> WebProfiles = new(
    [
        (new WebProfile("Mac OS X", "14.5.0", "Chrome", 126, "Desktop", 1728, 1117), 22),
        (new WebProfile("Windows", "10.0", "Chrome", 125, "Desktop", 1920, 1080), 24),
        (new WebProfile("Windows", "10.0", "Microsoft Edge", 125, "Desktop", 1536, 864), 8),
        (new WebProfile("Mac OS X", "14.4.1", "Safari", 17.4, "Desktop", 1440, 900), 9),
        (new WebProfile("Linux", "", "Firefox", 127, "Desktop", 1920, 1080), 4),
        (new WebProfile("iOS", "17.5.1", "Mobile Safari", 17.5, "Mobile", 390, 844), 15),
        (new WebProfile("Android", "14.0.0", "Chrome", 126, "Mobile", 412, 915), 14),
        (new WebProfile("iOS", "17.4", "Mobile Safari", 17.4, "Tablet", 820, 1180), 4),
    ]);

    public static readonly Weighted<AppProfile> AppProfiles = new(
    [
        (new AppProfile("iOS", "17.5.1", "posthog-ios", "3.7.2", "Mobile", "iPhone15,3"), 55),
        (new AppProfile("Android", "14", "posthog-android", "3.4.2", "Mobile", "Pixel 8"), 35),
        (new AppProfile("Android", "13", "posthog-android", "3.4.2", "Tablet", "SM-X710"), 10),
    ]);

    public static readonly Weighted<Place> Places = new(
    [
        (new Place("US", "United States", "San Francisco", "America/Los_Angeles", "198.51.100."), 18),
        (new Place("US", "United States", "New York", "America/New_York", "198.51.101."), 14),
        (new Place("GB", "United Kingdom", "London", "Europe/London", "203.0.113."), 10),
        (new Place("DE", "Germany", "Berlin", "Europe/Berlin", "192.0.2."), 9),
        (new Place("FR", "France", "Paris", "Europe/Paris", "192.0.3."), 6),
        (new Place("BR", "Brazil", "São Paulo", "America/Sao_Paulo", "203.0.114."), 7),
        (new Place("IN", "India", "Bengaluru", "Asia/Kolkata", "203.0.115."), 9),
        (new Place("JP", "Japan", "Tokyo", "Asia/Tokyo", "198.51.102."), 5),
        (new Place("CA", "Canada", "Toronto", "America/Toronto", "198.51.103."), 6),
        (new Place("AU", "Australia", "Sydney", "Australia/Sydney", "198.51.104."), 4),
        (new Place("PL", "Poland", "Kraków", "Europe/Warsaw", "192.0.4."), 4),
        (new Place("NG", "Nigeria", "Lagos", "Africa/Lagos", "192.0.5."), 3),
    ]);

    // At most 64 pages: a session's visited pages are a bit mask.
    public static readonly IReadOnlyList<Page> Pages =
    [
        new("shop.example.com", "/", "Example Shop — Home"),
        new("shop.example.com", "/pricing", "Pricing"),
        new("shop.example.com", "/products", "All products"),
        new("shop.example.com", "/products/sku-1001", "Trail Runner 2"),
        new("shop.example.com", "/products/sku-1002", "City Sneaker"),
        new("shop.example.com", "/products/sku-1003", "Rain Shell Jacket"),
        new("shop.example.com", "/products/sku-1004", "Merino Socks (3-pack)"),
        new("shop.example.com", "/products/sku-1005", "Daypack 22L"),
        new("shop.example.com", "/collections/summer", "Summer collection"),
        new("shop.example.com", "/search", "Search"),
        new("shop.example.com", "/cart", "Your cart"),
        new("shop.example.com", "/checkout", "Checkout"),
        new("shop.example.com", "/checkout/confirmation", "Order confirmed"),
        new("shop.example.com", "/signup", "Create an account"),
        new("shop.example.com", "/login", "Log in"),
        new("shop.example.com", "/account/orders", "Your orders"),
        new("shop.example.com", "/account/settings", "Account settings"),
        new("shop.example.com", "/blog/how-we-source-merino", "How we source merino"),
        new("shop.example.com", "/blog/trail-running-checklist", "A trail running checklist"),
        new("help.example.com", "/", "Help centre"),
        new("help.example.com", "/articles/returns", "Returns and refunds"),
        new("help.example.com", "/articles/shipping-times", "Shipping times"),
    ];

    public static readonly Weighted<Campaign> Campaigns = new(
    [
        (new Campaign("Direct", "$direct", "$direct"), 30),
        (new Campaign("Organic Search", "https://www.google.com/", "www.google.com"), 22),
        (new Campaign("Organic Search", "https://www.bing.com/", "www.bing.com"), 4),
        (new Campaign("Paid Search", "https://www.google.com/", "www.google.com", "google", "cpc", "summer_sale_2024", UtmTerm: "trail running shoes", ClickId: ClickId.Google), 12),
        (new Campaign("Paid Social", "https://l.facebook.com/", "l.facebook.com", "facebook", "paid_social", "retargeting_q3", "carousel_a", ClickId: ClickId.Facebook), 8),
        (new Campaign("Organic Social", "https://www.linkedin.com/", "www.linkedin.com"), 5),
        (new Campaign("Email", "$direct", "$direct", "newsletter", "email", "weekly_digest_27", "hero_button"), 9),
        (new Campaign("Referral", "https://news.ycombinator.com/item?id=40000000", "news.ycombinator.com"), 6),
        (new Campaign("Referral", "https://www.reddit.com/r/trailrunning/", "www.reddit.com"), 4),
    ]);

    public static readonly IReadOnlyList<Product> Products =
    [
        new("sku-1001", "Trail Runner 2", "Shoes", 129.00),
        new("sku-1002", "City Sneaker", "Shoes", 89.50),
        new("sku-1003", "Rain Shell Jacket", "Outerwear", 179.99),
        new("sku-1004", "Merino Socks (3-pack)", "Accessories", 24.00),
        new("sku-1005", "Daypack 22L", "Bags", 74.95),
        new("sku-1006", "Thermal Base Layer", "Apparel", 59.00),
    ];

    public static readonly IReadOnlyList<Element> Elements =
    [
        new("button.btn.btn-primary:attr__class=\"btn btn-primary\"attr__data-attr=\"add-to-cart\"nth-child=\"2\"nth-of-type=\"1\"text=\"Add to cart\";div.product-card__actions:attr__class=\"product-card__actions\"nth-child=\"3\"nth-of-type=\"2\";div.product-card:attr__class=\"product-card\"nth-child=\"1\"nth-of-type=\"1\";main:nth-child=\"2\"nth-of-type=\"1\";body:nth-child=\"2\"nth-of-type=\"1\"", "Add to cart", null),
        new("a.nav-link:attr__class=\"nav-link\"attr__href=\"/pricing\"href=\"/pricing\"nth-child=\"3\"nth-of-type=\"3\"text=\"Pricing\";li:nth-child=\"3\"nth-of-type=\"3\";ul.nav:attr__class=\"nav\"nth-child=\"1\"nth-of-type=\"1\";nav.header__nav:attr__class=\"header__nav\"nth-child=\"2\"nth-of-type=\"1\";header:nth-child=\"1\"nth-of-type=\"1\";body:nth-child=\"2\"nth-of-type=\"1\"", "Pricing", "/pricing"),
        new("button.checkout:attr__class=\"checkout\"attr__type=\"submit\"nth-child=\"1\"nth-of-type=\"1\"text=\"Checkout\";form#cart-form:attr__id=\"cart-form\"nth-child=\"2\"nth-of-type=\"1\";main:nth-child=\"2\"nth-of-type=\"1\";body:nth-child=\"2\"nth-of-type=\"1\"", "Checkout", null),
        new("input#search:attr__id=\"search\"attr__type=\"search\"attr__placeholder=\"Search products\"nth-child=\"1\"nth-of-type=\"1\";form.search:attr__class=\"search\"nth-child=\"1\"nth-of-type=\"1\";header:nth-child=\"1\"nth-of-type=\"1\";body:nth-child=\"2\"nth-of-type=\"1\"", "", null),
        new("a.footer-link:attr__class=\"footer-link\"attr__href=\"https://github.com/example/shop\"href=\"https://github.com/example/shop\"nth-child=\"4\"nth-of-type=\"4\"text=\"GitHub\";footer:nth-child=\"3\"nth-of-type=\"1\";body:nth-child=\"2\"nth-of-type=\"1\"", "GitHub", "https://github.com/example/shop"),
        new("span.size-option:attr__class=\"size-option\"attr__data-size=\"42\"nth-child=\"5\"nth-of-type=\"5\"text=\"42\";div.size-picker:attr__class=\"size-picker\"nth-child=\"2\"nth-of-type=\"2\";div.product-card:attr__class=\"product-card\"nth-child=\"1\"nth-of-type=\"1\";main:nth-child=\"2\"nth-of-type=\"1\";body:nth-child=\"2\"nth-of-type=\"1\"", "42", null),
    ];

    public static readonly Weighted<EventKind> EventKinds = new(
    [
        (EventKind.Pageview, 300), (EventKind.Autocapture, 240), (EventKind.Pageleave, 90), (EventKind.WebVitals, 45),
        (EventKind.FeatureFlagCalled, 60), (EventKind.Rageclick, 8), (EventKind.Exception, 9), (EventKind.ProductViewed, 70),
        (EventKind.AddToCart, 35), (EventKind.CheckoutStarted, 15), (EventKind.Purchase, 12), (EventKind.SignUp, 6),
        (EventKind.Identify, 20), (EventKind.Set, 10), (EventKind.SearchPerformed, 30),
    ]);

    public static readonly IReadOnlyList<(string Display, string Ascii)> FirstNames =
    [
        ("Alex", "alex"), ("Sam", "sam"), ("Maria", "maria"), ("João", "joao"), ("Priya", "priya"), ("Wei", "wei"),
        ("Fatima", "fatima"), ("Lukas", "lukas"), ("Emma", "emma"), ("Noah", "noah"), ("Aiko", "aiko"), ("Olga", "olga"),
        ("Mateo", "mateo"), ("Chloé", "chloe"), ("Kwame", "kwame"), ("Zoë", "zoe"), ("Liam", "liam"), ("Sofia", "sofia"),
    ];

    public static readonly IReadOnlyList<(string Display, string Ascii)> LastNames =
    [
        ("Kim", "kim"), ("Garcia", "garcia"), ("Müller", "mueller"), ("Nguyen", "nguyen"), ("Okafor", "okafor"),
        ("Silva", "silva"), ("Kowalski", "kowalski"), ("Tanaka", "tanaka"), ("Smith", "smith"), ("Patel", "patel"),
        ("O'Brien", "obrien"), ("Rossi", "rossi"), ("Johansson", "johansson"), ("Dubois", "dubois"),
    ];

    public static readonly IReadOnlyList<(string Name, string Industry)> Companies =
    [
        ("Acme Corp", "Manufacturing"), ("Globex", "Energy"), ("Initech", "Software"), ("Umbrella Health", "Healthcare"),
        ("Hooli", "Software"), ("Vandelay Imports", "Retail"), ("Soylent Foods", "Food"), ("Wayne Logistics", "Logistics"),
    ];

    public static readonly IReadOnlyList<string> Plans = ["free", "free", "free", "starter", "pro", "enterprise"];

    public static readonly IReadOnlyList<string> FeatureFlags = ["new-checkout", "search-v2", "free-shipping-banner", "reviews-widget"];

    public static readonly IReadOnlyList<string> SearchQueries =
        ["trail running shoes", "rain jacket", "merino socks", "daypack", "waterproof", "gift card", "size guide"];

    public static readonly IReadOnlyList<(string Type, string Message)> Exceptions =
    [
        ("TypeError", "Cannot read properties of undefined (reading 'id')"),
        ("NetworkError", "Failed to fetch /api/cart"),
        ("ChunkLoadError", "Loading chunk 412 failed."),
    ];

    public static string EventName(EventKind kind, bool mobile) => kind switch
    {
        EventKind.Pageview => mobile ? "$screen" : "$pageview",
        EventKind.Autocapture => "$autocapture",
        EventKind.Pageleave => mobile ? "Application Backgrounded" : "$pageleave",
        EventKind.WebVitals => mobile ? "Application Opened" : "$web_vitals",
        EventKind.FeatureFlagCalled => "$feature_flag_called",
        EventKind.Rageclick => "$rageclick",
        EventKind.Exception => "$exception",
        EventKind.ProductViewed => "product_viewed",
        EventKind.AddToCart => "add_to_cart",
        EventKind.CheckoutStarted => "checkout_started",
        EventKind.Purchase => "purchase",
        EventKind.SignUp => "sign_up",
        EventKind.Identify => "$identify",
        EventKind.Set => "$set",
        _ => "search_performed",
    };
}

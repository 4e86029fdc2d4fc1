using System.Buffers;
using System.Globalization;
using System.Numerics;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace BatchExports.Api.Commands.GenerateEvents;

internal sealed class SyntheticPerson
{
    public Guid Id;
    public string[] DistinctIds = [];
    public long[] DistinctIdInsertedAt = [];
    public long[] DistinctIdVersions = [];
    /// <summary>UTF-8 JSON, shared by the person row and every event of the person.</summary>
    public byte[] Properties = [];
    public long Version;
    public bool IsDeleted;
    public long CreatedAt;
    public long InsertedAt;
    public WebProfile? Web;
    public AppProfile? App;
    public Place Place = null!;
    public string Ip = "";
    public bool Identified;
    public string? Email;
    public string? Name;
    public string Plan = "free";
}

internal sealed class SyntheticSession
{
    public Guid Id;
    public string IdText = "";
    public string WindowId = "";
    public int Person;
    public string DistinctId = "";
    public Campaign Campaign = null!;
    public string? Gclid;
    public string? Fbclid;
    public long Start;
    public long Duration;
    public int Total;
    public int Emitted;
    public int Page = -1;
    public int EntryPage = -1;
    public ulong VisitedPages;
    public int Pageviews;
    public int Autocaptures;
    public int Screens;
    public long LastTimestamp;
    public long MaxInsertedAt;
    public double? Lcp;
    public bool ExternalClick;
}

/// <summary>One generated event, reused from row to row. Times are Unix microseconds (PostgreSQL's precision).</summary>
internal sealed class SyntheticEventRow
{
    public Guid Uuid;
    public string Event = "";
    public string DistinctId = "";
    /// <summary>UTF-8 JSON, valid until the next row is generated.</summary>
    public ReadOnlyMemory<byte> Properties;
    public Guid PersonId;
    public byte[] PersonProperties = [];
    public string? ElementsChain;
    public long Timestamp;
    public long CreatedAt;
    public long InsertedAt;
}

/// <summary>
/// Plans persons and sessions up front (small: one entry per person and per session), then produces events one at a
/// time in timestamp order by walking all sessions through a priority queue, so memory does not grow with the number
/// of events and the time-ordered rows keep index inserts cheap.
/// </summary>
internal sealed class SyntheticGenerator
{
    private const long Second = 1_000_000;
    private const long Minute = 60 * Second;
    private const long Hour = 60 * Minute;
    private const long Day = 24 * Hour;
    private const double MeanEventGapSeconds = 25;

    private static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    private readonly SyntheticRandom _random;
    private readonly long _start;
    private readonly long _end;
    private readonly PriorityQueue<int, long> _queue;
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private readonly Utf8JsonWriter _json;

    public SyntheticGenerator(long events, int persons, int sessions, long start, long end, long seed)
    {
        _random = new SyntheticRandom(seed);
        _start = start;
        _end = end;
        _json = new Utf8JsonWriter(_buffer, JsonOptions);
        Persons = Enumerable.Range(0, persons).Select(_ => NewPerson()).ToArray();
        var counts = EventsPerSession(events, sessions);
        var planned = new SyntheticSession[sessions];
        _queue = new PriorityQueue<int, long>(sessions);
        for (var i = 0; i < sessions; i++)
        {
            planned[i] = NewSession(i, counts[i]);
            _queue.Enqueue(i, planned[i].Start);
        }

        Sessions = planned;
    }

    public IReadOnlyList<SyntheticPerson> Persons { get; }

    /// <summary>Complete once every event has been produced.</summary>
    public IReadOnlyList<SyntheticSession> Sessions { get; }

    public bool Next(SyntheticEventRow row)
    {
        if (!_queue.TryDequeue(out var index, out var timestamp))
        {
            return false;
        }

        var session = Sessions[index];
        var person = Persons[session.Person];
        var mobile = person.App != null;
        session.Emitted++;
        if (session.Emitted < session.Total)
        {
            // The next of the remaining events, uniform over what is left of the session: sorted uniform offsets
            // drawn one at a time.
            var offset = timestamp - session.Start;
            var fraction = 1 - Math.Pow(_random.NextDouble(), 1.0 / (session.Total - session.Emitted));
            _queue.Enqueue(index, timestamp + (long)((session.Duration - offset) * fraction));
        }

        var kind = NextKind(session, person);
        Element? element = null;
        switch (kind)
        {
            case EventKind.Pageview:
                session.Page = session.Emitted == 1 && _random.Chance(0.7) ? _random.Next(9) : _random.Next(SyntheticCatalog.Pages.Count);
                if (session.EntryPage < 0)
                {
                    session.EntryPage = session.Page;
                }

                if (mobile)
                {
                    session.Screens++;
                }
                else
                {
                    session.Pageviews++;
                    session.VisitedPages |= 1UL << session.Page;
                }

                break;
            case EventKind.Autocapture or EventKind.Rageclick:
                element = _random.Pick(SyntheticCatalog.Elements);
                session.Autocaptures += kind == EventKind.Autocapture ? 1 : 0;
                session.ExternalClick |= element.IsExternalLink;
                break;
        }

        var insertedAt = Math.Min(timestamp + IngestionLag(), _end - 1);
        session.LastTimestamp = timestamp;
        session.MaxInsertedAt = Math.Max(session.MaxInsertedAt, insertedAt);

        row.Uuid = _random.GuidV7(timestamp);
        row.Event = SyntheticCatalog.EventName(kind, mobile);
        row.DistinctId = session.DistinctId;
        row.PersonId = person.Id;
        row.PersonProperties = person.Properties;
        row.ElementsChain = element?.Chain;
        row.Timestamp = timestamp;
        row.InsertedAt = insertedAt;
        row.CreatedAt = Math.Max(timestamp, insertedAt - _random.NextLong(300_000));
        row.Properties = EventProperties(kind, session, person, element, timestamp);
        return true;
    }

    private EventKind NextKind(SyntheticSession session, SyntheticPerson person)
    {
        if (session.Emitted == 1)
        {
            return EventKind.Pageview;
        }

        if (session.Emitted == session.Total && session.Total > 2 && _random.Chance(0.5))
        {
            return EventKind.Pageleave;
        }

        var kind = SyntheticCatalog.EventKinds.Pick(_random);
        return kind switch
        {
            EventKind.Identify or EventKind.SignUp or EventKind.Set when !person.Identified => EventKind.ProductViewed,
            EventKind.Rageclick when person.App != null => EventKind.Autocapture,
            _ => kind,
        };
    }

    /// <summary>Seconds for most events, minutes for some, hours for a few (a backed-up client or pipeline).</summary>
    private long IngestionLag()
    {
        var draw = _random.NextDouble();
        return draw switch
        {
            < 0.85 => 200_000 + (long)(_random.Exponential(3) * Second),
            < 0.98 => 30 * Second + (long)(_random.Exponential(120) * Second),
            _ => Hour + _random.NextLong(5 * Hour),
        };
    }

    /// <summary>
    /// Every session gets one event; the rest are shared in proportion to exponential weights (a few long sessions,
    /// many short), by systematic sampling: exact totals in one pass over the sessions, not a search per event.
    /// </summary>
    private int[] EventsPerSession(long events, int sessions)
    {
        var weights = new double[sessions];
        var total = 0.0;
        for (var i = 0; i < sessions; i++)
        {
            weights[i] = _random.Exponential(1);
            total += weights[i];
        }

        var counts = new int[sessions];
        var rest = events - sessions;
        var offset = _random.NextDouble();
        var cumulative = 0.0;
        var assigned = 0L;
        for (var i = 0; i < sessions; i++)
        {
            cumulative += weights[i];
            var upTo = i == sessions - 1 ? rest : Math.Min(rest, (long)Math.Floor(offset + rest * (cumulative / total)));
            counts[i] = 1 + (int)(upTo - assigned);
            assigned = upTo;
        }

        return counts;
    }

    private SyntheticPerson NewPerson()
    {
        var window = _end - _start;
        var person = new SyntheticPerson { Id = _random.GuidV4() };
        person.App = _random.Chance(0.08) ? SyntheticCatalog.AppProfiles.Pick(_random) : null;
        person.Web = person.App == null ? SyntheticCatalog.WebProfiles.Pick(_random) : null;
        person.Place = SyntheticCatalog.Places.Pick(_random);
        person.Ip = person.Place.IpPrefix + _random.Next(1, 255).ToString(CultureInfo.InvariantCulture);
        var createdInWindow = _random.Chance(0.35);
        person.CreatedAt = createdInWindow ? _start + _random.NextLong(window) : _start - Hour - _random.NextLong(180 * Day);
        person.InsertedAt = createdInWindow ? person.CreatedAt + _random.NextLong(_end - person.CreatedAt) : _start + _random.NextLong(window);
        person.Version = _random.Next(5);
        person.IsDeleted = _random.Chance(0.005);
        person.Identified = _random.Chance(0.6);
        person.Plan = _random.Pick(SyntheticCatalog.Plans);

        var distinctIds = new List<(string Id, long InsertedAt, long Version)> { (_random.GuidV7(person.CreatedAt).ToString(), person.CreatedAt, 0) };
        if (person.Identified)
        {
            var first = _random.Pick(SyntheticCatalog.FirstNames);
            var last = _random.Pick(SyntheticCatalog.LastNames);
            person.Name = $"{first.Display} {last.Display}";
            person.Email = $"{first.Ascii}.{last.Ascii}.{_random.Hex(4)}@example.com";
            var identifiedAt = person.CreatedAt + _random.NextLong(person.InsertedAt - person.CreatedAt + 1);
            distinctIds.Add(("user_" + _random.Hex(12), identifiedAt, 0));
            if (_random.Chance(0.15))
            {
                // A second device, merged into the person later: its mapping is at version 1.
                distinctIds.Add((_random.GuidV7(identifiedAt).ToString(), identifiedAt + _random.NextLong(person.InsertedAt - identifiedAt + 1), 1));
            }
        }

        person.DistinctIds = distinctIds.Select(d => d.Id).ToArray();
        person.DistinctIdInsertedAt = distinctIds.Select(d => d.InsertedAt).ToArray();
        person.DistinctIdVersions = distinctIds.Select(d => d.Version).ToArray();
        person.Properties = PersonProperties(person);
        return person;
    }

    private SyntheticSession NewSession(int index, int events)
    {
        var window = _end - _start;
        // Every person gets a session first; further sessions favour a minority of returning users.
        var personIndex = index < Persons.Count ? index : (int)(Persons.Count * Math.Pow(_random.NextDouble(), 2));
        var person = Persons[personIndex];
        var campaign = SyntheticCatalog.Campaigns.Pick(_random);
        var duration = events == 1 ? 0 : (long)((events - 1) * MeanEventGapSeconds * (0.3 + 1.4 * _random.NextDouble()) * Second);
        duration = Math.Min(duration, Math.Min(6 * Hour, window * 9 / 10));
        var start = _start + _random.NextLong(window - duration);
        var id = _random.GuidV7(start);
        return new SyntheticSession
        {
            Id = id,
            IdText = id.ToString(),
            WindowId = _random.GuidV7(start).ToString(),
            Person = personIndex,
            DistinctId = _random.Pick(person.DistinctIds),
            Campaign = campaign,
            Gclid = campaign.ClickId == ClickId.Google ? "Cj0KCQjw" + _random.Alphanumeric(24) : null,
            Fbclid = campaign.ClickId == ClickId.Facebook ? "IwAR" + _random.Alphanumeric(28) : null,
            Start = start,
            Duration = duration,
            Total = events,
        };
    }

    private byte[] PersonProperties(SyntheticPerson person)
    {
        var json = Begin();
        var campaign = SyntheticCatalog.Campaigns.Pick(_random);
        json.WriteStartObject();
        if (person.Identified)
        {
            json.WriteString("email", person.Email);
            json.WriteString("name", person.Name);
            json.WriteString("plan", person.Plan);
            json.WriteBoolean("is_paying", person.Plan != "free");
            // Some apps send numbers as strings: filters compare them numerically all the same.
            json.WriteString("seats", _random.Next(1, 60).ToString(CultureInfo.InvariantCulture));
            json.WriteNumber("lifetime_value", Math.Round(_random.Exponential(180), 2));
            var company = _random.Pick(SyntheticCatalog.Companies);
            json.WriteStartObject("company");
            json.WriteString("name", company.Name);
            json.WriteString("industry", company.Industry);
            json.WriteNumber("size", _random.Next(5, 5000));
            json.WriteEndObject();
        }

        if (person.Web != null)
        {
            json.WriteString("$initial_browser", person.Web.Browser);
            json.WriteString("$initial_os", person.Web.Os);
            json.WriteString("$initial_current_url", _random.Pick(SyntheticCatalog.Pages).Url);
        }
        else
        {
            json.WriteString("$initial_os", person.App!.Os);
            json.WriteString("$initial_app_version", "2.14.0");
        }

        json.WriteString("$initial_referring_domain", campaign.ReferringDomain);
        if (campaign.UtmSource != null)
        {
            json.WriteString("$initial_utm_source", campaign.UtmSource);
            json.WriteString("$initial_utm_campaign", campaign.UtmCampaign);
        }

        json.WriteString("$geoip_country_code", person.Place.CountryCode);
        json.WriteString("$geoip_city_name", person.Place.City);
        json.WriteEndObject();
        json.Flush();
        return _buffer.WrittenSpan.ToArray();
    }

    private ReadOnlyMemory<byte> EventProperties(EventKind kind, SyntheticSession session, SyntheticPerson person, Element? element, long timestamp)
    {
        var json = Begin();
        var page = SyntheticCatalog.Pages[session.Page];
        var campaign = session.Campaign;
        json.WriteStartObject();
        if (person.Web is { } web)
        {
            json.WriteString("$os", web.Os);
            json.WriteString("$os_version", web.OsVersion);
            json.WriteString("$browser", web.Browser);
            json.WriteNumber("$browser_version", web.BrowserVersion);
            json.WriteString("$device_type", web.DeviceType);
            json.WriteString("$current_url", page.Url);
            json.WriteString("$host", page.Host);
            json.WriteString("$pathname", page.Path);
            json.WriteNumber("$screen_height", web.ScreenHeight);
            json.WriteNumber("$screen_width", web.ScreenWidth);
            json.WriteNumber("$viewport_height", web.ScreenHeight - 133);
            json.WriteNumber("$viewport_width", web.ScreenWidth);
            json.WriteString("$lib", "web");
            json.WriteString("$lib_version", SyntheticCatalog.WebLibVersion);
            json.WriteString("$referrer", campaign.Referrer);
            json.WriteString("$referring_domain", campaign.ReferringDomain);
        }
        else
        {
            var app = person.App!;
            json.WriteString("$os", app.Os);
            json.WriteString("$os_version", app.OsVersion);
            json.WriteString("$device_type", app.DeviceType);
            json.WriteString("$device_model", app.DeviceModel);
            json.WriteString("$app_name", SyntheticCatalog.AppName);
            json.WriteString("$app_version", "2.14.0");
            json.WriteString("$lib", app.Lib);
            json.WriteString("$lib_version", app.LibVersion);
            json.WriteString("$screen_name", page.Title);
        }

        json.WriteNumber("$time", timestamp / 1000 / 1000.0);
        json.WriteString("distinct_id", session.DistinctId);
        json.WriteString("$device_id", person.DistinctIds[0]);
        json.WriteString("$session_id", session.IdText);
        if (person.Web != null)
        {
            json.WriteString("$window_id", session.WindowId);
        }

        json.WriteBoolean("$is_identified", session.DistinctId.StartsWith("user_", StringComparison.Ordinal));
        json.WriteString("$ip", person.Ip);
        json.WriteString("$geoip_country_code", person.Place.CountryCode);
        json.WriteString("$geoip_country_name", person.Place.CountryName);
        json.WriteString("$geoip_city_name", person.Place.City);
        json.WriteString("$timezone", person.Place.TimeZone);
        json.WriteString("token", SyntheticCatalog.ProjectToken);
        WriteIfSet(json, "utm_source", campaign.UtmSource);
        WriteIfSet(json, "utm_medium", campaign.UtmMedium);
        WriteIfSet(json, "utm_campaign", campaign.UtmCampaign);
        WriteIfSet(json, "utm_content", campaign.UtmContent);
        WriteIfSet(json, "utm_term", campaign.UtmTerm);
        WriteIfSet(json, "gclid", session.Gclid);
        WriteIfSet(json, "gad_source", session.Gclid != null ? "1" : null);
        WriteIfSet(json, "fbclid", session.Fbclid);
        WriteKindProperties(json, kind, session, person, element, page);
        json.WriteEndObject();
        json.Flush();
        return _buffer.WrittenMemory;
    }

    private void WriteKindProperties(Utf8JsonWriter json, EventKind kind, SyntheticSession session, SyntheticPerson person, Element? element, Page page)
    {
        switch (kind)
        {
            case EventKind.Pageview when person.Web != null:
                json.WriteString("title", page.Title);
                break;
            case EventKind.Autocapture or EventKind.Rageclick:
                json.WriteString("$event_type", "click");
                json.WriteString("$el_text", element!.Text);
                if (element.IsExternalLink)
                {
                    json.WriteString("$external_click_url", element.Href);
                }

                break;
            case EventKind.Pageleave:
                json.WriteNumber("$prev_pageview_duration", Math.Round(_random.Exponential(40), 1));
                json.WriteNumber("$prev_pageview_max_scroll_percentage", Math.Round(_random.NextDouble(), 2));
                break;
            case EventKind.WebVitals when person.Web != null:
                var lcp = Math.Round(600 + _random.Exponential(1400), 1);
                session.Lcp = lcp;
                json.WriteNumber("$web_vitals_LCP_value", lcp);
                json.WriteNumber("$web_vitals_FCP_value", Math.Round(lcp * 0.6, 1));
                json.WriteNumber("$web_vitals_CLS_value", Math.Round(_random.NextDouble() * 0.2, 3));
                break;
            case EventKind.WebVitals:
                json.WriteBoolean("from_background", _random.Chance(0.6));
                json.WriteString("version", "2.14.0");
                break;
            case EventKind.FeatureFlagCalled:
                json.WriteString("$feature_flag", _random.Pick(SyntheticCatalog.FeatureFlags));
                if (_random.Chance(0.6))
                {
                    json.WriteBoolean("$feature_flag_response", _random.Chance(0.5));
                }
                else
                {
                    json.WriteString("$feature_flag_response", _random.Chance(0.5) ? "control" : "test");
                }

                break;
            case EventKind.Exception:
                var (type, message) = _random.Pick(SyntheticCatalog.Exceptions);
                json.WriteString("$exception_type", type);
                json.WriteString("$exception_message", message);
                json.WriteString("$exception_level", "error");
                break;
            case EventKind.ProductViewed or EventKind.AddToCart:
                var viewed = _random.Pick(SyntheticCatalog.Products);
                json.WriteNumber("price", viewed.Price);
                if (kind == EventKind.AddToCart)
                {
                    json.WriteNumber("quantity", _random.Next(1, 4));
                }

                json.WriteString("currency", "USD");
                WriteProduct(json, viewed);
                break;
            case EventKind.CheckoutStarted:
                var size = _random.Next(1, 4);
                json.WriteNumber("cart_size", size);
                json.WriteStartArray("items");
                for (var i = 0; i < size; i++)
                {
                    json.WriteStartObject();
                    json.WriteString("id", _random.Pick(SyntheticCatalog.Products).Id);
                    json.WriteNumber("quantity", _random.Next(1, 3));
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                break;
            case EventKind.Purchase:
                var bought = _random.Pick(SyntheticCatalog.Products);
                var quantity = _random.Next(1, 4);
                var total = Math.Round(bought.Price * quantity, 2);
                json.WriteNumber("price", bought.Price);
                json.WriteNumber("quantity", quantity);
                json.WriteNumber("revenue", total);
                json.WriteString("order_total", total.ToString("0.00", CultureInfo.InvariantCulture));
                json.WriteString("currency", "USD");
                json.WriteString("order_id", "ord_" + _random.Hex(10));
                if (_random.Chance(0.2))
                {
                    json.WriteString("coupon", "SUMMER10");
                }
                else
                {
                    json.WriteNull("coupon");
                }

                WriteProduct(json, bought);
                break;
            case EventKind.SignUp:
                json.WriteString("plan", person.Plan);
                json.WriteString("signup_method", _random.Pick<string>(["email", "google", "github"]));
                break;
            case EventKind.Identify:
                json.WriteString("$anon_distinct_id", person.DistinctIds[0]);
                json.WriteStartObject("$set");
                json.WriteString("email", person.Email);
                json.WriteString("name", person.Name);
                json.WriteString("plan", person.Plan);
                json.WriteEndObject();
                json.WriteStartObject("$set_once");
                json.WriteString("$initial_referring_domain", session.Campaign.ReferringDomain);
                json.WriteString("$initial_current_url", page.Url);
                json.WriteEndObject();
                break;
            case EventKind.Set:
                json.WriteStartObject("$set");
                json.WriteString("plan", person.Plan);
                json.WriteString("last_feature_used", _random.Pick(SyntheticCatalog.FeatureFlags));
                json.WriteEndObject();
                break;
            case EventKind.SearchPerformed:
                json.WriteString("query", _random.Pick(SyntheticCatalog.SearchQueries));
                json.WriteNumber("results_count", _random.Next(0, 120));
                break;
        }
    }

    private static void WriteProduct(Utf8JsonWriter json, Product product)
    {
        json.WriteStartObject("product");
        json.WriteString("id", product.Id);
        json.WriteString("name", product.Name);
        json.WriteString("category", product.Category);
        json.WriteNumber("price", product.Price);
        json.WriteEndObject();
    }

    private static void WriteIfSet(Utf8JsonWriter json, string name, string? value)
    {
        if (value != null)
        {
            json.WriteString(name, value);
        }
    }

    private Utf8JsonWriter Begin()
    {
        _buffer.ResetWrittenCount();
        _json.Reset(_buffer);
        return _json;
    }

    /// <summary>The pages a web session visited, as URLs, in catalogue order.</summary>
    public static string[] Urls(SyntheticSession session)
    {
        var urls = new string[BitOperations.PopCount(session.VisitedPages)];
        var n = 0;
        for (var page = 0; page < SyntheticCatalog.Pages.Count; page++)
        {
            if ((session.VisitedPages & (1UL << page)) != 0)
            {
                urls[n++] = SyntheticCatalog.Pages[page].Url;
            }
        }

        return urls;
    }
}

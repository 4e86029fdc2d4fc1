using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace BatchExports.Core.Domain.Schemas;

/// <summary>One exported column: its canonical expression (<c>event</c>, <c>properties.$browser</c>) and output name.</summary>
public sealed record SelectedField(string Expression, string Alias);

/// <summary>The <c>schema</c> stored on an events batch export that carries a <c>hogql_query</c>.</summary>
public sealed record CustomSchema(IReadOnlyList<SelectedField> Fields, string NormalizedQuery)
{
    public JsonObject ToJson() => new()
    {
        ["fields"] = new JsonArray([.. Fields.Select(f => new JsonObject { ["expression"] = f.Expression, ["alias"] = f.Alias })]),
        ["values"] = new JsonObject(),
        ["hogql_query"] = NormalizedQuery,
    };

    public static CustomSchema? FromJson(JsonObject? schema)
    {
        if (schema?["fields"] is not JsonArray array || !TryGetString(schema["hogql_query"], out var query))
        {
            return null;
        }

        var fields = new List<SelectedField>(array.Count);
        foreach (var node in array)
        {
            if (node is not JsonObject field
                || !TryGetString(field["expression"], out var expression)
                || !TryGetString(field["alias"], out var alias))
            {
                return null;
            }

            fields.Add(new SelectedField(expression, alias));
        }

        return new CustomSchema(fields, query);
    }

    private static bool TryGetString(JsonNode? node, [NotNullWhen(true)] out string? value)
    {
        value = null;
        return node is JsonValue scalar && scalar.TryGetValue(out value);
    }
}

public sealed class HogQLQueryException(string message) : Exception(message);

/// <summary>
/// Parses the strict HogQL subset accepted as a custom events schema: <c>SELECT ref [AS alias], … FROM events</c>.
/// The grammar read is broader than the one allowed, so that a valid but unsupported query gets a specific message
/// rather than "Failed to parse query".
/// </summary>
public static partial class HogQLSelectParser
{
    public const string UnsupportedMessage =
        "Unsupported HogQL query: only fields and properties.<name> can be selected from events, with optional aliases";

    public static readonly IReadOnlyList<string> SupportedFields =
    [
        "created_at", "distinct_id", "elements_chain", "event", "person_id",
        "person_properties", "properties", "team_id", "timestamp", "uuid",
    ];

    // Fields of PostHog's events table that the export pipeline does not read.
    private static readonly HashSet<string> UnreadableFields =
    [
        "$session_id", "$window_id", "person_created_at", "person", "pdi",
        "elements_chain_href", "elements_chain_texts", "elements_chain_ids", "elements_chain_elements",
        "$group_0", "$group_1", "$group_2", "$group_3", "$group_4",
        "event_person_id", "_timestamp", "_offset", "inserted_at",
    ];

    private static readonly Dictionary<Problem, string> ProblemMessages = new()
    {
        [Problem.Union] = "UNIONs are not supported",
        [Problem.Join] = "JOINs are not supported",
        [Problem.SubqueryInFrom] = "Subqueries are not supported",
        [Problem.SubqueryInSelect] = "Subqueries in SELECT expressions are not supported",
        [Problem.NotFromEvents] = "Query must SELECT FROM events",
    };

    public static CustomSchema Parse(string query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var tokens = Tokenizer.Tokenize(query);
        if (tokens[0].Is("WITH"))
        {
            throw new HogQLQueryException("CTEs are not supported");
        }

        var parser = new Parser(tokens);
        var items = parser.ParseQuery();
        Problem? problem = parser.Problems.Count > 0 ? parser.Problems.Min : null;
        if (problem is not null and not Problem.Unsupported)
        {
            throw new HogQLQueryException(ProblemMessages[problem.Value]);
        }

        // PostHog resolves the query before checking what batch exports allow, so resolution errors come first.
        ResolveReferences(items);
        if (problem is Problem.Unsupported)
        {
            throw new HogQLQueryException(UnsupportedMessage);
        }

        var selected = items.Select(ToSelected).ToList();
        var aliases = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (field, _) in selected)
        {
            if (!aliases.Add(field.Alias))
            {
                throw new HogQLQueryException($"Duplicate column alias '{field.Alias}'");
            }
        }

        var normalized = $"SELECT {string.Join(", ", selected.Select(s => s.Rendered))} FROM events";
        return new CustomSchema([.. selected.Select(s => s.Field)], normalized);
    }

    private static void ResolveReferences(IReadOnlyList<Item> items)
    {
        var aliases = items.Select(i => i.Alias).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var unreadable = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var reference in items.SelectMany(i => References(i.Expression)))
        {
            // A reference to another column's alias resolves in HogQL; it is then rejected as unsupported.
            var field = Unqualified(reference.Parts)[0];
            if (SupportedFields.Contains(field) || aliases.Contains(field))
            {
                continue;
            }

            if (!UnreadableFields.Contains(field))
            {
                throw new HogQLQueryException($"Invalid HogQL query: Unable to resolve field: {field}");
            }

            unreadable.Add(field);
        }

        if (unreadable.Count > 0)
        {
            throw new HogQLQueryException(
                $"Batch exports cannot read these fields: {string.Join(", ", unreadable)}. "
                + $"Supported fields are: {string.Join(", ", SupportedFields)}.");
        }
    }

    private static IEnumerable<RefExpr> References(Expr expression) => expression switch
    {
        RefExpr reference => [reference],
        OtherExpr other => other.Children.SelectMany(References),
        _ => [],
    };

    private static IReadOnlyList<string> Unqualified(IReadOnlyList<string> parts) =>
        parts.Count > 1 && parts[0] == "events" ? [.. parts.Skip(1)] : parts;

    private static (SelectedField Field, string Rendered) ToSelected(Item item)
    {
        var parts = item.Expression is RefExpr reference ? Unqualified(reference.Parts) : [];
        var (expression, defaultAlias, rendered) = parts switch
        {
            [var field] when SupportedFields.Contains(field) => (field, field, field),
            ["properties" or "person_properties", var name] => ($"{parts[0]}.{name}", name, $"{parts[0]}.{Quote(name, afterDot: true)}"),
            _ => throw new HogQLQueryException(UnsupportedMessage),
        };
        return item.Alias is null
            ? (new SelectedField(expression, defaultAlias), rendered)
            : (new SelectedField(expression, item.Alias), $"{rendered} AS {Quote(item.Alias, afterDot: false)}");
    }

    /// <summary>Backtick-quotes a name unless it reads back as the same identifier.</summary>
    private static string Quote(string name, bool afterDot)
    {
        if (PlainIdentifier().IsMatch(name) && (afterDot || !Parser.Reserved.Contains(name)))
        {
            return name;
        }

        var escaped = name
            .Replace(@"\", @"\\", StringComparison.Ordinal)
            .Replace("`", @"\`", StringComparison.Ordinal)
            .Replace("\n", @"\n", StringComparison.Ordinal)
            .Replace("\r", @"\r", StringComparison.Ordinal)
            .Replace("\t", @"\t", StringComparison.Ordinal)
            .Replace("\0", @"\0", StringComparison.Ordinal);
        return $"`{escaped}`";
    }

    [GeneratedRegex(@"^[A-Za-z_$][A-Za-z0-9_$]*$")]
    private static partial Regex PlainIdentifier();

    private static HogQLQueryException ParseFailure() => new("Failed to parse query");

    // Ordered by precedence: the smallest problem recorded is the one reported.
    private enum Problem { Union, Join, SubqueryInFrom, SubqueryInSelect, NotFromEvents, Unsupported }

    private abstract record Expr;

    /// <summary>A field reference: <c>event</c>, <c>events.properties.$browser</c>, <c>properties['my key']</c>.</summary>
    private sealed record RefExpr(IReadOnlyList<string> Parts) : Expr;

    private sealed record LiteralExpr(string? Text) : Expr;

    /// <summary>Anything else (calls, operators, tuples, <c>*</c>): kept only for the references inside it.</summary>
    private sealed record OtherExpr(IReadOnlyList<Expr> Children) : Expr;

    private sealed record Item(Expr Expression, string? Alias);

    private enum TokenKind { Word, QuotedName, String, Number, Symbol, End }

    private readonly record struct Token(TokenKind Kind, string Text)
    {
        /// <summary>Matches a keyword (any case) or a symbol.</summary>
        public bool Is(string text) =>
            Kind is TokenKind.Word or TokenKind.Symbol && Text.Equals(text, StringComparison.OrdinalIgnoreCase);
    }

    private static partial class Tokenizer
    {
        public static List<Token> Tokenize(string query)
        {
            var tokens = new List<Token>();
            for (var position = 0; position < query.Length;)
            {
                var match = TokenPattern().Match(query, position);
                if (!match.Success)
                {
                    throw ParseFailure();
                }

                position += match.Length;
                if (match.Groups["word"].Success)
                {
                    tokens.Add(new Token(TokenKind.Word, match.Value));
                }
                else if (match.Groups["quoted"].Success)
                {
                    tokens.Add(new Token(match.Value[0] == '\'' ? TokenKind.String : TokenKind.QuotedName, Unquote(match.Value)));
                }
                else if (!match.Groups["skip"].Success)
                {
                    tokens.Add(new Token(match.Groups["number"].Success ? TokenKind.Number : TokenKind.Symbol, match.Value));
                }
            }

            tokens.Add(new Token(TokenKind.End, ""));
            return tokens;
        }

        private static string Unquote(string literal)
        {
            var value = new StringBuilder();
            for (var i = 1; i < literal.Length - 1; i++)
            {
                var c = literal[i];
                if (c == '\\')
                {
                    c = literal[++i] switch { 'n' => '\n', 'r' => '\r', 't' => '\t', '0' => '\0', var other => other };
                }
                else if (c == literal[0])
                {
                    i++; // a doubled quote, as the pattern only lets quotes inside in pairs
                }

                value.Append(c);
            }

            return value.ToString();
        }

        [GeneratedRegex("""
            \G(?:
                (?<skip>\s+|--[^\n]*|/\*.*?\*/)
              | (?<word>[A-Za-z_$][A-Za-z0-9_$]*)
              | (?<number>[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?(?![A-Za-z0-9_$]))
              | (?<quoted>`(?:[^`\\]|\\.|``)*`|"(?:[^"\\]|\\.|"")*"|'(?:[^'\\]|\\.|'')*')
              | (?<symbol>!=|<>|<=|>=|==|\|\||[-,.()\[\]*+/%=<>;])
            )
            """, RegexOptions.IgnorePatternWhitespace | RegexOptions.Singleline)]
        private static partial Regex TokenPattern();
    }

    /// <summary>Recursive descent over the tokens: records what it reads that we reject, and reads on.</summary>
    private sealed class Parser(List<Token> tokens)
    {
        public static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
        {
            "SELECT", "FROM", "WHERE", "PREWHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "OFFSET", "SETTINGS", "WINDOW",
            "QUALIFY", "SAMPLE", "FINAL", "UNION", "WITH", "AS", "ON", "USING", "JOIN", "LEFT", "RIGHT", "INNER",
            "FULL", "OUTER", "CROSS", "ARRAY", "GLOBAL", "ASOF", "SEMI", "ANTI", "ANY", "ALL", "AND", "OR", "NOT",
            "LIKE", "ILIKE", "IN", "IS", "BETWEEN", "DISTINCT", "NULL", "TRUE", "FALSE", "CASE", "WHEN", "THEN",
            "ELSE", "END", "BY", "ASC", "DESC", "INTERVAL",
        };

        private static readonly HashSet<string> JoinModifiers = new(StringComparer.OrdinalIgnoreCase)
        {
            "LEFT", "RIGHT", "INNER", "FULL", "OUTER", "CROSS", "ARRAY", "GLOBAL", "ASOF", "SEMI", "ANTI", "ANY", "ALL",
        };

        private static readonly HashSet<string> TrailingClauses = new(StringComparer.OrdinalIgnoreCase)
        {
            "WHERE", "PREWHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "OFFSET", "SETTINGS", "WINDOW", "QUALIFY", "SAMPLE", "FINAL",
        };

        private static readonly string[] BinaryOperators =
            ["!=", "<>", "<=", ">=", "==", "||", "*", "+", "-", "/", "%", "=", "<", ">", "AND", "OR", "LIKE", "ILIKE", "IN", "BETWEEN"];

        private int _position;

        // Inside a subquery the subquery itself is the problem, not whatever it holds.
        private int _depth;

        public SortedSet<Problem> Problems { get; } = [];

        private Token Peek => tokens[_position];

        public List<Item> ParseQuery()
        {
            var items = ParseUnion();
            Accept(";");
            return Peek.Kind == TokenKind.End ? items : throw ParseFailure();
        }

        private List<Item> ParseUnion()
        {
            var items = ParseSelect();
            while (Accept("UNION"))
            {
                Record(Problem.Union);
                _ = Accept("ALL") || Accept("DISTINCT");
                ParseSelect();
            }

            return items;
        }

        private List<Item> ParseSelect()
        {
            Expect("SELECT");
            RecordIf(Accept("DISTINCT"), Problem.Unsupported);
            var items = ParseList(ParseItem);
            var fromEvents = Accept("FROM") && ParseFrom();
            RecordIf(!fromEvents, Problem.NotFromEvents);
            if (Peek.Kind == TokenKind.Word && TrailingClauses.Contains(Peek.Text))
            {
                Record(Problem.Unsupported);
                SkipClauses();
            }

            return items;
        }

        private Item ParseItem()
        {
            var expression = ParseExpression();
            if (Accept("AS"))
            {
                return new Item(expression, ExpectName(allowReserved: false));
            }

            SkipImplicitAlias();
            return new Item(expression, null);
        }

        /// <summary>Reads the tables; true when the first is <c>events</c> (any others are JOINs, reported apart).</summary>
        private bool ParseFrom()
        {
            var fromEvents = ParseTable();
            while (Accept(",") || AcceptJoin())
            {
                Record(Problem.Join);
                ParseTable();
                if (Accept("ON"))
                {
                    ParseExpression();
                }
                else if (Accept("USING"))
                {
                    ParseList(ParseExpression);
                }
            }

            return fromEvents;
        }

        private bool ParseTable()
        {
            var isEvents = false;
            if (Accept("("))
            {
                Record(Problem.SubqueryInFrom);
                ParseSubquery();
            }
            else
            {
                var name = ExpectName(allowReserved: false);
                while (Accept("."))
                {
                    name += "." + ExpectName(allowReserved: false);
                }

                if (Accept("("))
                {
                    ParseArguments();
                }
                else
                {
                    isEvents = name == "events";
                }
            }

            if (Accept("AS"))
            {
                ExpectName(allowReserved: false);
                Record(Problem.Unsupported);
            }

            SkipImplicitAlias();
            return isEvents;
        }

        /// <summary>WHERE, GROUP BY, ORDER BY, LIMIT and the like are rejected whatever they hold, so they are skipped.</summary>
        private void SkipClauses()
        {
            var depth = 0;
            while (Peek.Kind != TokenKind.End && (depth > 0 || !(Peek.Is(")") || Peek.Is(";") || Peek.Is("UNION"))))
            {
                var token = Advance();
                depth += token.Is("(") ? 1 : token.Is(")") ? -1 : 0;
            }
        }

        private bool AcceptJoin()
        {
            var start = _position;
            while (Peek.Kind == TokenKind.Word && JoinModifiers.Contains(Peek.Text))
            {
                Advance();
            }

            if (Accept("JOIN"))
            {
                return true;
            }

            _position = start;
            return false;
        }

        private void ParseSubquery()
        {
            _depth++;
            ParseUnion();
            Expect(")");
            _depth--;
        }

        private Expr ParseExpression()
        {
            var left = ParseUnary();
            while (AcceptBinaryOperator())
            {
                left = new OtherExpr([left, ParseUnary()]);
            }

            return left;
        }

        private bool AcceptBinaryOperator()
        {
            if (Accept("IS"))
            {
                Accept("NOT");
                return true;
            }

            if (Accept("NOT"))
            {
                return Accept("LIKE") || Accept("ILIKE") || Accept("IN") || Accept("BETWEEN") ? true : throw ParseFailure();
            }

            return BinaryOperators.Any(Accept);
        }

        private Expr ParseUnary() =>
            Accept("-") || Accept("+") || Accept("NOT") ? new OtherExpr([ParseUnary()]) : ParsePostfix(ParsePrimary());

        private Expr ParsePrimary()
        {
            var token = Advance();
            switch (token.Kind)
            {
                case TokenKind.Number:
                    return new LiteralExpr(null);
                case TokenKind.String:
                    return new LiteralExpr(token.Text);
                case TokenKind.QuotedName when token.Text.Length > 0:
                    return new RefExpr([token.Text]);
                case TokenKind.Symbol when token.Is("*"):
                    return new OtherExpr([]);
                case TokenKind.Symbol when token.Is("(") && Peek.Is("SELECT"):
                    Record(Problem.SubqueryInSelect);
                    ParseSubquery();
                    return new OtherExpr([]);
                case TokenKind.Symbol when token.Is("(") || token.Is("["):
                    var closing = token.Is("(") ? ")" : "]";
                    var elements = Peek.Is(closing) ? [] : ParseList(ParseExpression);
                    Expect(closing);
                    return new OtherExpr(elements);
                case TokenKind.Word when Peek.Is("("):
                    Advance();
                    return new OtherExpr(ParseArguments());
                case TokenKind.Word when token.Is("NULL") || token.Is("TRUE") || token.Is("FALSE"):
                    return new LiteralExpr(null);
                case TokenKind.Word when !Reserved.Contains(token.Text):
                    return new RefExpr([token.Text]);
                default:
                    throw ParseFailure();
            }
        }

        /// <summary>Call arguments after the opening parenthesis: <c>count(*)</c>, <c>count(DISTINCT x)</c>, <c>CAST(x AS String)</c>.</summary>
        private List<Expr> ParseArguments()
        {
            Accept("DISTINCT");
            var arguments = Peek.Is(")") ? [] : ParseList(() =>
            {
                var argument = ParseExpression();
                if (Accept("AS"))
                {
                    ExpectName(allowReserved: false);
                }

                return argument;
            });
            Expect(")");
            return arguments;
        }

        private Expr ParsePostfix(Expr expression)
        {
            while (true)
            {
                if (Accept("."))
                {
                    // In `events.*` the qualifier names the table, not a field to resolve.
                    expression = Accept("*") ? new OtherExpr([])
                        : expression is RefExpr dotted ? new RefExpr([.. dotted.Parts, ExpectName(allowReserved: true)])
                        : new OtherExpr([expression, new LiteralExpr(ExpectName(allowReserved: true))]);
                }
                else if (Accept("["))
                {
                    var index = ParseExpression();
                    Expect("]");
                    expression = expression is RefExpr indexed && index is LiteralExpr { Text.Length: > 0 } key
                        ? new RefExpr([.. indexed.Parts, key.Text])
                        : new OtherExpr([expression, index]);
                }
                else
                {
                    return expression;
                }
            }
        }

        private List<T> ParseList<T>(Func<T> parseElement)
        {
            var elements = new List<T> { parseElement() };
            while (Accept(","))
            {
                elements.Add(parseElement());
            }

            return elements;
        }

        private string ExpectName(bool allowReserved) => Advance() switch
        {
            { Kind: TokenKind.Word } word when allowReserved || !Reserved.Contains(word.Text) => word.Text,
            { Kind: TokenKind.QuotedName, Text.Length: > 0 } quoted => quoted.Text,
            _ => throw ParseFailure(),
        };

        /// <summary>HogQL allows <c>expr alias</c> without <c>AS</c>; we read it only to reject it.</summary>
        private void SkipImplicitAlias()
        {
            if (Peek.Kind == TokenKind.QuotedName || (Peek.Kind == TokenKind.Word && !Reserved.Contains(Peek.Text)))
            {
                Advance();
                Record(Problem.Unsupported);
            }
        }

        private void RecordIf(bool condition, Problem problem)
        {
            if (condition)
            {
                Record(problem);
            }
        }

        private void Record(Problem problem)
        {
            if (_depth == 0)
            {
                Problems.Add(problem);
            }
        }

        private Token Advance()
        {
            var token = Peek;
            _position += token.Kind == TokenKind.End ? 0 : 1;
            return token;
        }

        private bool Accept(string text) => Peek.Is(text) && Advance().Is(text);

        private void Expect(string text)
        {
            if (!Accept(text))
            {
                throw ParseFailure();
            }
        }
    }
}

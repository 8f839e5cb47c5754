/** The C# subset: literals, operators, strings, interpolation, statements, casts, null handling and LINQ. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { evaluate, text } from "./helpers.js";

const cases = (title: string, table: readonly [source: string, expected: string][]) =>
  describe(title, () => {
    for (const [source, expected] of table) {
      it(`${source} → ${JSON.stringify(expected)}`, () => assert.equal(text(source), expected));
    }
  });

cases("literals and arithmetic", [
  [`@(7 / 2)`, "3"],
  [`@(-7 / 2)`, "-3"],
  [`@(7 % 3)`, "1"],
  [`@(7.0 / 2)`, "3.5"],
  [`@(7 / 2.0)`, "3.5"],
  [`@(1 / 3.0)`, "0.3333333333333333"],
  [`@(0.1 + 0.2)`, "0.30000000000000004"],
  [`@("" + 1e15)`, "1E+15"],
  [`@(1e15)`, "1000000000000000"],
  [`@(100000000000000.0)`, "100000000000000"],
  [`@(0.00001)`, "1E-05"],
  [`@(2147483647 + 1)`, "-2147483648"],
  [`@(2147483647L + 1)`, "2147483648"],
  [`@(10m / 4)`, "2.5"],
  [`@(0x1F + 0b101)`, "36"],
  [`@(1_000 * 3)`, "3000"],
  [`@(5 - -3)`, "8"],
  [`@(1 << 4 | 1)`, "17"],
  [`@(~0)`, "-1"],
  [`@('a' + 1)`, "98"],
  [`@((char)('a' + 1))`, "b"],
  [`@(true)`, "True"],
  [`@(false.ToString())`, "False"],
  [`@(null)`, ""],
  [`@((int)3.99)`, "3"],
  [`@((int)-3.99)`, "-3"],
  [`@((long)1e10)`, "10000000000"],
  [`@((double)7 / 2)`, "3.5"],
  [`@(int.MaxValue)`, "2147483647"],
  [`@(Math.Max(3, 7) + Math.Min(1.5, 2))`, "8.5"],
  [`@(Math.Round(2.5))`, "2"],
  [`@(Math.Round(3.5))`, "4"],
  [`@(Math.Round(2.346, 2))`, "2.35"],
  [`@(Math.Round(2.5, MidpointRounding.AwayFromZero))`, "3"],
  [`@(Math.Floor(-2.5))`, "-3"],
  [`@(Math.Abs(-4))`, "4"],
  [`@(Math.Pow(2, 10))`, "1024"],
]);

cases("comparison, logic and null handling", [
  [`@(1 < 2 && 2 <= 2 && 3 > 2 && !(1 >= 2))`, "True"],
  [`@("a" == "a" && "a" != "A")`, "True"],
  [`@(1 == 1.0)`, "True"],
  [`@(true ^ true)`, "False"],
  [`@(true | false & false)`, "True"],
  [`@(1 > 2 ? "yes" : "no")`, "no"],
  [`@(context.Product == null)`, "True"],
  [`@(context.Product?.Name ?? "no product")`, "no product"],
  [`@(context.Product?.Name.Length)`, ""],
  [`@((context.Product?.SubscriptionLimit ?? 5) + 1)`, "6"],
  [`@(context.User?.Email == null)`, "True"],
  [`@((string)null ?? "fallback")`, "fallback"],
  [`@(context.Variables.ContainsKey("nope") ? 1 : 2)`, "2"],
]);

cases("strings", [
  [`@("Hello".Length)`, "5"],
  [`@("Hello"[1])`, "e"],
  [`@("Hello, World".Substring(7))`, "World"],
  [`@("Hello, World".Substring(0, 5))`, "Hello"],
  [`@("a,b,,c".Split(',').Length)`, "4"],
  [`@("a,b,,c".Split(new[] { ',' }, StringSplitOptions.RemoveEmptyEntries).Length)`, "3"],
  [`@("a; b;c".Split(';', ' ').Length)`, "4"],
  [`@("one  two".Split().Length)`, "3"],
  [`@("k=v=w".Split(new[] { '=' }, 2)[1])`, "v=w"],
  [`@("a--b--c".Split("--")[2])`, "c"],
  [`@("  padded  ".Trim() + "|")`, "padded|"],
  [`@("xxhixx".Trim('x'))`, "hi"],
  [`@("/path/".TrimEnd('/'))`, "/path"],
  [`@("/path/".TrimStart('/'))`, "path/"],
  [`@("Hello".ToUpper() + "Hello".ToLowerInvariant())`, "HELLOhello"],
  [`@("Hello".Replace("l", "L"))`, "HeLLo"],
  [`@("Hello".IndexOf("l"))`, "2"],
  [`@("Hello".LastIndexOf('l'))`, "3"],
  [`@("Hello".IndexOf("z"))`, "-1"],
  [`@("Hello".Contains("ell"))`, "True"],
  [`@("Hello".StartsWith("he"))`, "False"],
  [`@("Hello".StartsWith("he", StringComparison.OrdinalIgnoreCase))`, "True"],
  [`@("Hello".EndsWith("LO", StringComparison.OrdinalIgnoreCase))`, "True"],
  [`@("Hello".Equals("HELLO", StringComparison.OrdinalIgnoreCase))`, "True"],
  [`@("5".PadLeft(3, '0'))`, "005"],
  [`@("ab".PadRight(4) + "|")`, "ab  |"],
  [`@("Hello".Insert(5, "!").Remove(0, 1))`, "ello!"],
  [`@(string.IsNullOrEmpty("") && string.IsNullOrWhiteSpace("  ") && !string.IsNullOrEmpty("x"))`, "True"],
  [`@(string.Join("-", new[] { "a", "b", "c" }))`, "a-b-c"],
  [`@(string.Join(",", 1, 2.5, true, null, 'c'))`, "1,2.5,True,,c"],
  [`@(string.Concat("a", 1, "b"))`, "a1b"],
  [`@(string.Format("{0}-{1:D3}-{0}", "x", 7))`, "x-007-x"],
  [`@(string.Format("{0,5}|{1,-5}|{2:F2}|{{}}", "r", "l", 3.14159))`, "    r|l    |3.14|{}"],
  [`@(string.Compare("a", "B"))`, "-1"],
  [`@(string.Compare("a", "A", StringComparison.OrdinalIgnoreCase))`, "0"],
  [`@(String.Empty + "x")`, "x"],
  [`@(new string('-', 3))`, "---"],
  [`@(new string("abc".ToCharArray().Reverse().ToArray()))`, "cba"],
  [`@("a" + 1 + 2)`, "a12"],
  [`@(1 + 2 + "a")`, "3a"],
  [`@("x" + true + null + 1.5)`, "xTrue1.5"],
  [`@("tab\\tnew\\nquote\\"uni\\u0041")`, 'tab\tnew\nquote"uniA'],
  [`@(@"C:\\path\\""q""")`, `C:\\path\\"q"`],
  [
    `@(@"multi
line")`,
    "multi\nline",
  ],
  [`@("Hello".ToCharArray().Length)`, "5"],
  [`@(char.IsDigit('5') && char.IsLetter("a5", 0) && !char.IsWhiteSpace('x'))`, "True"],
]);

cases("interpolation", [
  [`@($"id={context.Request.MatchedParameters["id"]}")`, "id=5"],
  [`@($"{1 + 2} and {"x"}")`, "3 and x"],
  [`@($"{3.14159:F2}|{42:D5}|{255:X}|{255:x4}")`, "3.14|00042|FF|00ff"],
  [
    `@($"{1234567.891:N2}|{0.256:P1}|{1234.5:0.00}|{7:00}|{1234567:#,##0}")`,
    "1,234,567.89|25.6 %|1234.50|07|1,234,567",
  ],
  [`@($"[{"a",4}][{"b",-4}]")`, "[   a][b   ]"],
  [`@($"{{literal}} {(1 > 0 ? "yes" : "no")}")`, "{literal} yes"],
  [`@($"{new DateTime(2024, 3, 5, 14, 7, 9):yyyy-MM-dd HH:mm:ss}")`, "2024-03-05 14:07:09"],
  [`@($"{new DateTime(2024, 3, 5):dddd, MMMM d}")`, "Tuesday, March 5"],
  [`@($@"path\\{"x"}")`, "path\\x"],
  [`@($"{true}")`, "True"],
]);

cases("dates, times and guids", [
  [`@(new DateTime(2024, 1, 2, 3, 4, 5).ToString())`, "01/02/2024 03:04:05"],
  [`@(new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc).ToString("o"))`, "2024-01-02T03:04:05.0000000Z"],
  [`@(new DateTime(2024, 1, 2).ToString("s"))`, "2024-01-02T00:00:00"],
  [`@(new DateTime(2024, 1, 2, 3, 4, 5).ToString("R"))`, "Tue, 02 Jan 2024 03:04:05 GMT"],
  [`@(new DateTime(2024, 1, 31).AddMonths(1).ToString("yyyy-MM-dd"))`, "2024-02-29"],
  [`@(new DateTime(2024, 1, 2).AddDays(1.5).ToString("yyyy-MM-dd HH:mm"))`, "2024-01-03 12:00"],
  [`@((new DateTime(2024, 1, 2) - new DateTime(2024, 1, 1)).TotalHours)`, "24"],
  [`@(new DateTime(2024, 1, 2) > new DateTime(2024, 1, 1))`, "True"],
  [`@(new DateTime(2024, 1, 2) + TimeSpan.FromMinutes(90) == new DateTime(2024, 1, 2, 1, 30, 0))`, "True"],
  [`@(DateTime.Parse("2024-06-01T12:00:00Z").ToUniversalTime().Hour)`, "12"],
  [`@(DateTime.ParseExact("05/03/2024 14:07", "dd/MM/yyyy HH:mm", CultureInfo.InvariantCulture).Month)`, "3"],
  [`@(DateTime.UtcNow > DateTime.UtcNow.AddSeconds(-5))`, "True"],
  [`@(new DateTime(2024, 3, 5).DayOfWeek)`, "Tuesday"],
  [`@(DateTimeOffset.FromUnixTimeSeconds(1700000000).ToString("o"))`, "2023-11-14T22:13:20.0000000+00:00"],
  [`@(new DateTimeOffset(new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc)).ToUnixTimeSeconds())`, "1704067200"],
  [`@(TimeSpan.FromSeconds(3725).ToString())`, "01:02:05"],
  [`@(TimeSpan.FromDays(1.5).ToString())`, "1.12:00:00"],
  [`@(TimeSpan.FromMilliseconds(1500).TotalSeconds)`, "1.5"],
  [`@(TimeSpan.FromSeconds(3725).ToString(@"hh\\:mm"))`, "01:02"],
  [`@(TimeSpan.Parse("01:30:00").TotalMinutes)`, "90"],
  [`@(Guid.Parse("6F1C9A52-3D8E-4B7A-9C61-2F0E4D5A8B13").ToString())`, "6f1c9a52-3d8e-4b7a-9c61-2f0e4d5a8b13"],
  [`@(Guid.Parse("6f1c9a523d8e4b7a9c612f0e4d5a8b13").ToString("B"))`, "{6f1c9a52-3d8e-4b7a-9c61-2f0e4d5a8b13}"],
  [`@(Guid.Empty.ToString("N"))`, "00000000000000000000000000000000"],
  [`@(context.RequestId.ToString("N").Length)`, "32"],
]);

cases("conversions and encodings", [
  [`@(int.Parse("42") + 1)`, "43"],
  [`@(int.Parse(" -7 "))`, "-7"],
  [`@(double.Parse("2.5") * 2)`, "5"],
  [`@(bool.Parse("TRUE"))`, "True"],
  [`@(long.Parse("9007199254740991"))`, "9007199254740991"],
  [`@(Convert.ToInt32("12") + Convert.ToInt32(2.5) + Convert.ToInt32(3.5))`, "18"],
  [`@(Convert.ToBoolean("false"))`, "False"],
  [`@(Convert.ToString(12.5))`, "12.5"],
  [`@(Convert.ToBase64String(Encoding.UTF8.GetBytes("user:pässword")))`, "dXNlcjpww6Rzc3dvcmQ="],
  [`@(Encoding.UTF8.GetString(Convert.FromBase64String("aGVsbG8=")))`, "hello"],
  [`@(Encoding.ASCII.GetBytes("é").Length)`, "1"],
  [`@(System.Net.WebUtility.UrlEncode("a b/c?d=é"))`, "a+b%2Fc%3Fd%3D%C3%A9"],
  [`@(WebUtility.UrlDecode("a+b%2Fc"))`, "a b/c"],
  [`@(System.Web.HttpUtility.UrlEncode("a/b"))`, "a%2fb"],
  [`@(Uri.EscapeDataString("a b!*"))`, "a%20b%21%2A"],
  [`@(WebUtility.HtmlEncode("<a href='x'>&</a>"))`, "&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;"],
  [`@(new Uri("https://example.com:8443/a/b?c=d").Port)`, "8443"],
  [`@(new Uri("https://example.com/a/b?c=d").PathAndQuery)`, "/a/b?c=d"],
  [
    `@(BitConverter.ToString(new SHA256Managed().ComputeHash(Encoding.UTF8.GetBytes("abc"))).Substring(0, 8))`,
    "BA-78-16",
  ],
  [
    `@(Convert.ToBase64String(new HMACSHA256(Encoding.UTF8.GetBytes("key")).ComputeHash(Encoding.UTF8.GetBytes("The quick brown fox jumps over the lazy dog"))))`,
    "97yD9DBThCSxMpjmqm+xQ+9NWaFJRhdZl0edvC0aPNg=",
  ],
  [`@("42".AsJwt() == null)`, "True"],
]);

describe("statement blocks", () => {
  it("applies every compound assignment", () => {
    assert.equal(
      evaluate(
        `@{ var x = 5; x *= 2; x /= 3; x %= 2; x <<= 3; x >>= 1; x |= 1; x &= 7; x ^= 2; x -= 1; return x >> 1; }`,
      ),
      3,
    );
    assert.equal(text(`@{ string s = null; s ??= "d"; s += 1; return s; }`), "d1");
  });

  it("declares, assigns and returns", () => {
    assert.equal(evaluate(`@{ var a = 1; int b = 2, c; c = a + b; c += 10; c++; ++c; c -= 1; return c * 2; }`), 28);
  });
  it("branches with if / else if / else", () => {
    const source = `@{
      var method = context.Request.Method;
      if (method == "GET") { return "read"; }
      else if (method == "POST") return "write";
      else { return "other"; }
    }`;
    assert.equal(text(source), "read");
    assert.equal(text(source, { request: { method: "POST" } }), "write");
    assert.equal(text(source, { request: { method: "PATCH" } }), "other");
  });
  it("loops with foreach, for, while and do", () => {
    assert.equal(text(`@{ var s = ""; foreach (var x in new[] { "a", "b", "c" }) { s += x; } return s; }`), "abc");
    assert.equal(
      text(
        `@{ var s = 0; for (var i = 0; i < 5; i++) { if (i == 1) continue; if (i == 4) break; s += i; } return s; }`,
      ),
      "5",
    );
    assert.equal(text(`@{ var n = 0; while (n < 10) n += 3; return n; }`), "12");
    assert.equal(text(`@{ var n = 0; do { n++; } while (n < 0); return n; }`), "1");
    assert.equal(text(`@{ var n = 0; while (true) { if (++n == 3) break; } return n; }`), "3");
  });
  it("walks headers, dictionaries and JSON", () => {
    const headers = { request: { headers: { "X-A": "1", "X-B": "2", Other: "3" } } };
    assert.equal(
      text(
        `@{ var names = new List<string>(); foreach (var h in context.Request.Headers) { if (h.Key.StartsWith("X-")) names.Add(h.Key + "=" + string.Join(",", h.Value)); } return string.Join(";", names); }`,
        headers,
      ),
      "X-A=1;X-B=2",
    );
    assert.equal(
      text(
        `@{ var d = new Dictionary<string, int> { { "a", 1 }, ["b"] = 2 }; var t = 0; foreach (var kv in d) t += kv.Value; return t; }`,
      ),
      "3",
    );
    assert.equal(
      text(
        `@{ var o = JObject.Parse("{\\"a\\":1,\\"b\\":2}"); var s = ""; foreach (var p in o.Properties()) s += p.Name + p.Value; return s; }`,
      ),
      "a1b2",
    );
  });
  it("switches on strings and numbers", () => {
    const source = `@{ switch (context.Request.Method) { case "GET": case "HEAD": return 1; case "POST": return 2; default: return 0; } }`;
    assert.equal(evaluate(source), 1);
    assert.equal(evaluate(source, { request: { method: "HEAD" } }), 1);
    assert.equal(evaluate(source, { request: { method: "DELETE" } }), 0);
  });
  it("catches exceptions by type and rethrows others", () => {
    assert.equal(
      text(
        `@{ try { return int.Parse("x").ToString(); } catch (FormatException ex) { return "bad: " + ex.Message; } }`,
      ),
      "bad: The input string 'x' was not in a correct format.",
    );
    assert.equal(
      text(`@{ try { JObject.Parse("{"); return "parsed"; } catch { return "invalid json"; } }`),
      "invalid json",
    );
    assert.equal(text(`@{ var s = "a"; try { s += "b"; } finally { s += "c"; } return s; }`), "abc");
    assert.equal(
      text(`@{ try { throw new InvalidOperationException("boom"); } catch (Exception e) { return e.Message; } }`),
      "boom",
    );
  });
  it("uses out variables and pattern matching", () => {
    assert.equal(text(`@(int.TryParse("12", out var n) ? n * 2 : -1)`), "24");
    assert.equal(text(`@(int.TryParse("x", out var n) ? n : -1)`), "-1");
    assert.equal(
      text(`@(int.TryParse("1,042", NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var n) ? n : -1)`),
      "1042",
    );
    assert.equal(
      text(
        `@(DateTime.TryParse("2024-01-01", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d) ? d.ToString("o") : "no")`,
      ),
      "2024-01-01T00:00:00.0000000Z",
    );
    assert.equal(text(`@{ int value; var ok = int.TryParse("7", out value); return ok ? value : 0; }`), "7");
    assert.equal(
      text(`@(context.Variables.TryGetValue("v", out var v) ? (string)v : "none")`, {
        context: (c) => c.variables.set("v", "here"),
      }),
      "here",
    );
    assert.equal(text(`@{ object o = "text"; if (o is string s) { return s.Length; } return -1; }`), "4");
    assert.equal(text(`@{ object o = 5; return o is string ? "s" : o is int ? "i" : "?"; }`), "i");
    assert.equal(
      text(`@((context.Variables["v"] as string) ?? "not a string")`, { context: (c) => c.variables.set("v", 3) }),
      "not a string",
    );
  });
});

cases("LINQ", [
  [`@(new[] { 1, 2, 3, 4 }.Where(x => x % 2 == 0).Select(x => x * 10).Sum())`, "60"],
  [`@(new[] { 1, 2, 3 }.Any(x => x > 2) && new[] { 1, 2, 3 }.All(x => x > 0))`, "True"],
  [`@(new[] { 1, 2, 3 }.Any() && !new int[0].Any())`, "True"],
  [`@(new[] { "b", "a", "c" }.OrderBy(s => s).First())`, "a"],
  [`@(new[] { "b", "a", "c" }.OrderByDescending(s => s).First())`, "c"],
  [`@(new[] { 3, 1, 2 }.Max() + new[] { 3, 1, 2 }.Min())`, "4"],
  [`@(new[] { 1, 2, 3 }.Average())`, "2"],
  [`@(new[] { 1, 2, 2, 3 }.Distinct().Count())`, "3"],
  [`@(new[] { 1, 2, 3 }.Count(x => x > 1))`, "2"],
  [`@(new[] { 1, 2, 3 }.Skip(1).Take(1).Single())`, "2"],
  [`@(new[] { 1, 2, 3 }.FirstOrDefault(x => x > 5))`, "0"],
  [`@(new[] { "a" }.FirstOrDefault(x => x == "z") ?? "none")`, "none"],
  [`@(new[] { 1, 2, 3 }.Last(x => x < 3))`, "2"],
  [`@(string.Join(",", new[] { 1, 2 }.Concat(new[] { 3 }).Reverse()))`, "3,2,1"],
  [`@(new[] { 1, 2, 3 }.Aggregate((a, b) => a * b))`, "6"],
  [`@(new[] { "x", "y" }.Aggregate("", (acc, s) => acc + s.ToUpper()))`, "XY"],
  [`@(new[] { 1, 2 }.SequenceEqual(new List<int> { 1, 2 }))`, "True"],
  [`@(new[] { 4, 5, 6 }.ElementAt(1))`, "5"],
  [`@(new[] { "a", "b" }.Contains("b"))`, "True"],
  [`@(new[] { "a", "b" }.ToList().Count)`, "2"],
  [
    `@(string.Join(",", new[] { "apple", "avocado", "banana" }.GroupBy(s => s[0]).Select(g => g.Key + ":" + g.Count())))`,
    "a:2,b:1",
  ],
  [`@(new[] { "a", "bb" }.ToDictionary(s => s, s => s.Length)["bb"])`, "2"],
  [`@(string.Join("", "hello".Where(c => c != 'l')))`, "heo"],
  [`@(Enumerable.Range(1, 5).Sum())`, "15"],
  [`@(string.Join(",", Enumerable.Repeat("x", 3)))`, "x,x,x"],
  [`@(new List<string> { "a", "b" }.Select((s) => s + "!").Last())`, "b!"],
  [`@(context.Request.Headers.Any(h => h.Key == "Accept"))`, "False"],
  [`@(new[] { 1, 2, 3 }.SelectMany(x => new[] { x, x }).Count())`, "6"],
]);

cases("regular expressions", [
  [`@(Regex.IsMatch("abc123", @"^[a-z]+\\d+$"))`, "True"],
  [`@(Regex.Match("key=value", @"(\\w+)=(\\w+)").Groups[2].Value)`, "value"],
  [`@(Regex.Match("v=1.2", @"(?<major>\\d+)\\.(?<minor>\\d+)").Groups["minor"].Value)`, "2"],
  [`@(Regex.Match("no digits", @"\\d+").Success)`, "False"],
  [`@(Regex.Matches("a1b22c333", @"\\d+").Count)`, "3"],
  [`@(Regex.Replace("a1b22", @"\\d+", "#"))`, "a#b#"],
  [`@(Regex.Replace("John Smith", @"(?<first>\\w+) (?<last>\\w+)", "\${last}, \${first}"))`, "Smith, John"],
  [`@(Regex.Replace("abc", "B", "x", RegexOptions.IgnoreCase))`, "axc"],
  [`@(Regex.Replace("a1b2", @"\\d", m => (int.Parse(m.Value) * 2).ToString()))`, "a2b4"],
  [`@(string.Join("|", Regex.Split("a, b,c", @",\\s*")))`, "a|b|c"],
  [`@(new Regex(@"^/api/v(\\d+)/").Match("/api/v2/users").Groups[1].Value)`, "2"],
  [`@(Regex.IsMatch("ABC", "(?i)^abc$"))`, "True"],
  [`@(Regex.Match("x", "(?<a>y)?x").Groups["a"].Success)`, "False"],
  [`@(Regex.Match("ab", "(?<n>a)(b)").Groups[1].Value)`, "b"],
  [`@(Regex.Match("xxab", "(?<n>a)(b)").Groups["n"].Index + Regex.Match("xxab", "a(b)").Groups[1].Index)`, "5"],
  [`@(Regex.Match("a1b2", @"\\d").NextMatch().Value)`, "2"],
]);

cases("collections", [
  [
    `@{ var l = new List<int> { 3, 1 }; l.Add(2); l.Sort(); l.Insert(0, 9); l.RemoveAt(1); return string.Join(",", l) + ":" + l.Count; }`,
    "9,2,3:3",
  ],
  [
    `@{ var l = new List<string>(); l.AddRange(new[] { "a", "b" }); return l.Contains("b") && l.IndexOf("b") == 1; }`,
    "True",
  ],
  [
    `@{ var d = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase); d["Key"] = "v"; return d.ContainsKey("KEY") ? d["kEy"] : "missing"; }`,
    "v",
  ],
  [`@{ var d = new Dictionary<string, int>(); d.Add("a", 1); return d.TryGetValue("a", out var v) ? v : -1; }`, "1"],
  [`@{ var d = new Dictionary<string, int>(); return d.GetValueOrDefault("x", 7); }`, "7"],
  [`@{ var d = new Dictionary<string, int> { { "a", 1 } }; d.Remove("a"); return d.Count; }`, "0"],
  [`@{ var s = new HashSet<string> { "a" }; s.Add("a"); s.Add("b"); return s.Count; }`, "2"],
  [`@{ var a = new int[3]; a[1] = 5; return a.Length + a[1]; }`, "8"],
  [`@{ string[] a = { "x", "y" }; return a[1]; }`, "y"],
  [`@(new StringBuilder("a").Append(1).Append('c').AppendFormat("{0}", "d").ToString())`, "a1cd"],
  [`@{ var sb = new StringBuilder(); sb.Append("x"); sb.AppendLine("y"); return sb.Length; }`, "4"],
]);

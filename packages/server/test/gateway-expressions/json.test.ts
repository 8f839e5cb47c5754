/** JObject/JArray/JToken: parsing, Newtonsoft's text, indexers, conversions and JsonConvert. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { evaluationError, text } from "./helpers.js";

const cases = (title: string, table: readonly [source: string, expected: string][]) =>
  describe(title, () => {
    for (const [source, expected] of table) {
      it(`${source} → ${JSON.stringify(expected)}`, () => assert.equal(text(source), expected));
    }
  });

const doc = (json: string) => JSON.stringify(json).slice(1, -1);
const SAMPLE = doc(
  `{"id":7,"price":2.50,"ok":true,"none":null,"name":"Ann \\"A\\"","tags":["x","y"],"nested":{"deep":{"v":1.0}},"empty":{},"list":[]}`,
);

cases("round trips", [
  [
    `@(JObject.Parse("${SAMPLE}").ToString())`,
    `{\n  "id": 7,\n  "price": 2.5,\n  "ok": true,\n  "none": null,\n  "name": "Ann \\"A\\"",\n  "tags": [\n    "x",\n    "y"\n  ],\n  "nested": {\n    "deep": {\n      "v": 1.0\n    }\n  },\n  "empty": {},\n  "list": []\n}`,
  ],
  [
    `@(JObject.Parse("${SAMPLE}").ToString(Formatting.None))`,
    `{"id":7,"price":2.5,"ok":true,"none":null,"name":"Ann \\"A\\"","tags":["x","y"],"nested":{"deep":{"v":1.0}},"empty":{},"list":[]}`,
  ],
  [
    `@(JsonConvert.SerializeObject(JObject.Parse("${SAMPLE}")))`,
    `{"id":7,"price":2.5,"ok":true,"none":null,"name":"Ann \\"A\\"","tags":["x","y"],"nested":{"deep":{"v":1.0}},"empty":{},"list":[]}`,
  ],
  [`@(JArray.Parse("[1, \\"two\\", [3]]").ToString(Formatting.None))`, `[1,"two",[3]]`],
  [`@(JToken.Parse("\\"text\\"").ToString())`, "text"],
  [`@(JsonConvert.SerializeObject("a\\u0001\\n"))`, `"a\\u0001\\n"`],
  [
    `@(JsonConvert.SerializeObject(new Dictionary<string, object> { { "a", 1 }, { "b", new[] { "c" } } }))`,
    `{"a":1,"b":["c"]}`,
  ],
  [`@(JsonConvert.SerializeObject(new List<int> { 1, 2 }, Formatting.Indented))`, `[\n  1,\n  2\n]`],
  [`@(JsonConvert.SerializeObject(null))`, "null"],
  [`@(JsonConvert.SerializeObject(new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc)))`, `"2024-01-02T03:04:05Z"`],
]);

cases("reading values", [
  [`@((string)JObject.Parse("${SAMPLE}")["name"])`, `Ann "A"`],
  [`@((int)JObject.Parse("${SAMPLE}")["id"] + 1)`, "8"],
  [`@((double)JObject.Parse("${SAMPLE}")["price"] * 2)`, "5"],
  [`@((bool)JObject.Parse("${SAMPLE}")["ok"])`, "True"],
  [`@((string)JObject.Parse("${SAMPLE}")["none"] ?? "null!")`, "null!"],
  [`@((string)JObject.Parse("${SAMPLE}")["missing"] ?? "missing!")`, "missing!"],
  [`@((int?)JObject.Parse("${SAMPLE}")["missing"] ?? -1)`, "-1"],
  [`@(JObject.Parse("${SAMPLE}")["nested"]["deep"]["v"].ToString())`, "1"],
  [`@(JObject.Parse("${SAMPLE}")["tags"][1].ToString())`, "y"],
  [`@(JObject.Parse("${SAMPLE}").Value<string>("name").Length)`, "7"],
  [`@(JObject.Parse("${SAMPLE}").Value<int>("id"))`, "7"],
  [`@(JObject.Parse("${SAMPLE}")["id"].Value<string>())`, "7"],
  [`@(JObject.Parse("${SAMPLE}").SelectToken("nested.deep.v").ToString())`, "1"],
  [`@(JObject.Parse("${SAMPLE}").SelectToken("$.tags[0]").ToString())`, "x"],
  [`@(JObject.Parse("${SAMPLE}").SelectToken("nested.nope") == null)`, "True"],
  [`@(JObject.Parse("${SAMPLE}")["tags"].Type)`, "Array"],
  [`@(JObject.Parse("${SAMPLE}")["tags"].ToObject<string[]>() == null)`, "False"],
  [`@(((JArray)JObject.Parse("${SAMPLE}")["tags"]).Count)`, "2"],
  [`@(JObject.Parse("${SAMPLE}")["tags"].Select(t => (string)t).Last())`, "y"],
  [`@(JObject.Parse("${SAMPLE}").ContainsKey("ok") && JObject.Parse("${SAMPLE}").Property("ok") != null)`, "True"],
  [`@(string.Join(",", JObject.Parse("${SAMPLE}").Properties().Select(p => p.Name).Take(3)))`, "id,price,ok"],
  [`@(JObject.Parse("${SAMPLE}")["nested"]["deep"].Path)`, "nested.deep"],
  [`@(JsonConvert.DeserializeObject<JObject>("{\\"a\\":1}")["a"].ToString())`, "1"],
]);

cases("changing documents", [
  [
    `@{ var o = new JObject(); o["a"] = 1; o["b"] = "two"; o["c"] = true; o["d"] = null; o.Add("e", new JArray(1, 2)); return o.ToString(Formatting.None); }`,
    `{"a":1,"b":"two","c":true,"d":null,"e":[1,2]}`,
  ],
  [
    `@{ var o = JObject.Parse("{\\"a\\":1,\\"b\\":2}"); o.Remove("a"); o["b"] = 3; o["c"] = new JObject(new JProperty("x", "y")); return o.ToString(Formatting.None); }`,
    `{"b":3,"c":{"x":"y"}}`,
  ],
  [
    `@{ var a = new JArray(); a.Add("x"); a.Add(JObject.Parse("{}")); a.Insert(0, 1.5); return a.ToString(Formatting.None); }`,
    `[1.5,"x",{}]`,
  ],
  [
    `@{ var o = JObject.Parse("{\\"a\\":{\\"b\\":1}}"); var copy = o.DeepClone(); o["a"]["b"] = 2; return copy.ToString(Formatting.None) + o.ToString(Formatting.None); }`,
    `{"a":{"b":1}}{"a":{"b":2}}`,
  ],
  [
    `@{ var o = JObject.Parse("{\\"a\\":1}"); var p = new JObject(); p["moved"] = o["a"]; return p.ToString(Formatting.None) + o.ToString(Formatting.None); }`,
    `{"moved":1}{"a":1}`,
  ],
  [
    `@{ var o = JObject.Parse("{\\"a\\":1,\\"b\\":2}"); o.Property("a").Remove(); return o.ToString(Formatting.None); }`,
    `{"b":2}`,
  ],
  [
    `@{ var o = JObject.Parse("{\\"a\\":{\\"x\\":1},\\"l\\":[1]}"); o.Merge(JObject.Parse("{\\"a\\":{\\"y\\":2},\\"l\\":[2]}")); return o.ToString(Formatting.None); }`,
    `{"a":{"x":1,"y":2},"l":[1,2]}`,
  ],
  [`@(JToken.DeepEquals(JObject.Parse("{\\"a\\":[1]}"), JObject.Parse("{ \\"a\\" : [ 1 ] }")))`, "True"],
]);

describe("JSON failures", () => {
  it("reports Newtonsoft's reader errors", () => {
    assert.match(
      evaluationError(`@(JObject.Parse("{\\"a\\": }"))`),
      /^Unexpected character encountered while parsing value: }\. Path 'a', line 1, position 6\.$/,
    );
    assert.match(
      evaluationError(`@(JObject.Parse("{\\"a\\":1}")["a"]["b"])`),
      /Cannot access child value on Newtonsoft\.Json\.Linq\.JValue\./,
    );
    assert.match(
      evaluationError(`@((string)JObject.Parse("{\\"a\\":{}}")["a"])`),
      /Can not convert Object to String\./,
    );
    assert.match(
      evaluationError(`@((int)JObject.Parse("{\\"a\\":\\"x\\"}")["a"])`),
      /Input string was not in a correct format\./,
    );
  });
});

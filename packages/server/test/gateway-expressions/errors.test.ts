/** Load-time refusals with their document positions, the sandbox, the step budget and run-time failures. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compileExpression } from "../../src/gateway/expressions/index.js";
import { ExpressionBudgetError } from "../../src/gateway/expressions/runtime.js";
import type { PipelineContext } from "../../src/gateway/pipeline/context.js";
import { contextFor, evaluationError, loadError } from "./helpers.js";

describe("load errors", () => {
  it("points at the offending token of a multi-line block, in document coordinates", () => {
    const block = `@{\n    var h = context.Request.Headers;\n    return h.Nope;\n}`;
    // The block starts at line 10, column 13 of the document.
    const message = loadError(block, { line: 10, column: 13 });
    assert.match(
      message,
      /^'IReadOnlyDictionary<string, string\[\]>' has no member 'Nope'\. Its members: .*ContainsKey.*GetValueOrDefault/,
    );
    assert.match(message, / @ 12:14$/);
  });

  it("counts columns from the expression's start on its first line", () => {
    assert.equal(loadError(`@(context.Foo)`, { line: 3, column: 20 }).split(" @ ")[1], "3:30");
  });

  it("names the unknown member and lists the type's members", () => {
    assert.match(
      loadError(`@(context.Request.Nope)`),
      /^'IRequest' has no member 'Nope'\. Its members: Body, Certificate, Equals, GetHashCode, Headers, IpAddress, MatchedParameters, Method, OriginalMethod, OriginalUrl, ToString, Url @ 1:19$/,
    );
    assert.match(
      loadError(`@("x".Lenght)`),
      /^'string' has no member 'Lenght'\. Its members: .*Length.*and the LINQ methods/,
    );
    assert.match(loadError(`@(Math.Sqr(4))`), /^'Math' has no static member 'Sqr'\. Its static members: Abs, .*Sqrt/);
  });

  it("names unknown identifiers and types with the known ones", () => {
    assert.match(
      loadError(`@(Foo.Bar)`),
      /^Unknown type or member 'Foo'\. Known names: context, declared variables, and the types .*DateTime.*JObject.*Regex/,
    );
    assert.match(loadError(`@{ Foo x = null; return x; }`), /^Unknown type 'Foo'\. Known types: /);
    assert.equal(loadError(`@(x + 1)`).split(" @ ")[1], "1:3");
  });

  it("refuses unsupported C# with what it is", () => {
    assert.equal(loadError(`@{ unsafe { } return 1; }`), "'unsafe' is not supported in policy expressions @ 1:4");
    assert.equal(loadError(`@(typeof(string))`), "'typeof' is not supported in policy expressions @ 1:3");
    assert.equal(loadError(`@{ goto end; return 1; }`), "'goto' is not supported in policy expressions @ 1:4");
    assert.equal(
      loadError(`@(from x in y select x)`),
      "LINQ query syntax is not supported in policy expressions: use method calls (Where, Select …) @ 1:3",
    );
    assert.equal(loadError(`@(new { A = 1 })`), "Anonymous types are not supported in policy expressions @ 1:7");
    assert.equal(
      loadError(`@{ int F(int x) { return x; } return F(1); }`),
      "Local functions are not supported in policy expressions @ 1:8",
    );
  });

  it("reports syntax errors where they are", () => {
    assert.equal(loadError(`@(1 +)`), "An expression expected, found the end of the expression @ 1:6");
    assert.equal(loadError(`@("unterminated)`), `The string is not closed ('"' expected) @ 1:16`);
    assert.equal(loadError(`@{ var x = 1 return x; }`), "';' expected, found 'return' @ 1:14");
    assert.equal(
      loadError(`@{ x + 1; return 1; }`).split(" @ ")[0],
      "Only assignment, call, increment, decrement and new object expressions can be used as a statement",
    );
    assert.equal(loadError(`@(1 2)`), "Unexpected '2' after the end of the expression @ 1:5");
  });

  it("refuses absurdly deep nesting without exhausting the stack", () => {
    assert.equal(
      loadError(`@(${"(".repeat(20000)}1${")".repeat(20000)})`),
      "The policy expression is nested too deeply @ 1:131",
    );
  });

  it("refuses every kind of nesting 100,000 deep at the offending token, at once", () => {
    const deep = 100_000;
    for (const [source, at] of [
      [`@(${"-".repeat(deep)}1)`, "1:259"],
      [`@(${"(int)".repeat(deep)}1)`, "1:643"],
      [`@(${'$"{'.repeat(deep)}1${'}"'.repeat(deep)})`, "1:387"],
      [`@{${"{".repeat(deep)}${"}".repeat(deep)} return 1;}`, "1:131"],
      [`@(new int[] ${"{".repeat(deep)}${"}".repeat(deep)})`, "1:142"],
      [`@(${"x => ".repeat(deep)}1)`, "1:643"],
    ] as const) {
      assert.equal(loadError(source), `The policy expression is nested too deeply @ ${at}`);
    }
    assert.equal(
      loadError(`@(new ${"List<".repeat(deep)}int${">".repeat(deep)}())`),
      "Generic type arguments are nested more than 16 deep @ 1:92",
    );
  });

  it("reads thousands of generic-looking comparisons as comparisons, each looked at once", () => {
    const comparisons = Array.from({ length: 30_000 }, () => "1 < 2").join(", ");
    assert.doesNotThrow(() => compileExpression(`@(new bool[] { ${comparisons} }.Length)`, { line: 1, column: 1 }));
    const names = Array.from({ length: 30_000 }, () => "a < b").join(", ");
    assert.match(loadError(`@(new bool[] { ${names} })`), /^Unknown type or member 'a'/);
  });

  it("requires every path of a block to return", () => {
    assert.equal(
      loadError(`@{ if (true) { return 1; } }`),
      "Not all code paths return a value: every path of a statement block must end in 'return' @ 1:28",
    );
    assert.equal(
      loadError(`@{ var x = 1; }`).split(" @ ")[0],
      "Not all code paths return a value: every path of a statement block must end in 'return'",
    );
    assert.doesNotThrow(() => compileExpression(`@{ if (true) return 1; else return 2; }`, { line: 1, column: 1 }));
    assert.doesNotThrow(() => compileExpression(`@{ while (true) { } }`, { line: 1, column: 1 }));
    assert.doesNotThrow(() => compileExpression(`@{ throw new Exception("no"); }`, { line: 1, column: 1 }));
  });

  it("checks types where C# would", () => {
    assert.equal(
      loadError(`@(context.Request.Method && true)`),
      "Cannot implicitly convert type 'string' to 'bool' @ 1:3",
    );
    assert.equal(loadError(`@{ var x = null; return x; }`), "Cannot assign null to an implicitly-typed variable @ 1:8");
    assert.equal(
      loadError(`@{ var x = 1; var x = 2; return x; }`),
      "A local named 'x' is already defined in this scope or an enclosing one @ 1:19",
    );
    assert.equal(loadError(`@("a".Substring())`), "'string.Substring' takes 1 to 2 arguments, not 0 @ 1:7");
    assert.equal(
      loadError(`@(context.Request.Body.As<int>())`),
      "Body.As<Int32>() is not supported: a body can be read as string, byte[], JObject, JArray, JToken @ 1:24",
    );
    assert.equal(
      loadError(`@(context.Request.Body.As<XElement>())`),
      "XML types such as 'XElement' are not supported in policy expressions: read bodies as string or JSON @ 1:27",
    );
    assert.equal(
      loadError(`@{ context.Variables["x"] = 1; return 1; }`),
      "context.Variables is read-only: set variables with the set-variable policy @ 1:4",
    );
    assert.equal(
      loadError(`@(context.Request.Headers.GetValueOrDefault(nam: "x"))`).split(" @ ")[0],
      "'IReadOnlyDictionary<string, string[]>.GetValueOrDefault' has no parameter named 'nam'. Its parameters: key, defaultValue",
    );
  });
});

describe("the sandbox", () => {
  for (const [source, expected] of [
    [`@(context.GetType())`, /^'IContext' has no member 'GetType'/],
    [`@("".constructor)`, /^'string' has no member 'constructor'/],
    [`@(context.__proto__)`, /^'IContext' has no member '__proto__'/],
    [`@(context.Request.Headers.constructor)`, /has no member 'constructor'/],
    [`@(context.toString())`, /^'IContext' has no member 'toString'/],
    [
      `@(System.IO.File.ReadAllText("/etc/passwd"))`,
      /^Unknown type or namespace 'System\.IO': policy expressions can use only the documented \.NET types @ 1:10$/,
    ],
    [`@(System.Diagnostics.Process.Start("sh"))`, /^Unknown type or namespace 'System\.Diagnostics'/],
    [`@(System.Environment.GetEnvironmentVariable("X"))`, /^Unknown type or namespace 'System\.Environment'/],
    [`@(Type.GetType("System.IO.File"))`, /^Unknown type or member 'Type'/],
    [`@(process.env)`, /^Unknown type or member 'process'/],
    [`@(globalThis)`, /^Unknown type or member 'globalThis'/],
    [`@(eval("1"))`, /^Unknown method 'eval'/],
    [`@(Activator.CreateInstance(null))`, /^Unknown type or member 'Activator'/],
  ] as const) {
    it(`refuses ${source}`, () => assert.match(loadError(source), expected));
  }

  it("resolves members of object values at run time from the runtime's own tables", () => {
    const setup = { context: (c: PipelineContext) => c.variables.set("v", "text") };
    assert.match(
      evaluationError(`@(((object)context.Variables["v"]).constructor)`, setup),
      /'System\.String' does not contain a definition for 'constructor'/,
    );
    assert.match(
      evaluationError(`@(context.Variables["v"].__proto__)`, setup),
      /'System\.String' does not contain a definition for '__proto__'/,
    );
  });
});

describe("the step budget", () => {
  it("stops an endless loop quickly", () => {
    const compiled = compileExpression(`@{ var i = 0; while (true) { i++; } }`, { line: 1, column: 1 });
    const context = contextFor();
    const started = process.hrtime.bigint();
    assert.throws(
      () => compiled.evaluate(context),
      (error: unknown) => {
        assert.ok(error instanceof ExpressionBudgetError);
        assert.equal(error.message, "Expression evaluation exceeded its budget of 100000 steps");
        return true;
      },
    );
    // Generous: 100 000 steps take a few milliseconds.
    assert.ok(Number(process.hrtime.bigint() - started) / 1e6 < 5000);
  });

  it("is not caught by the expression's own try/catch", () => {
    assert.match(evaluationError(`@{ try { while (true) { } } catch { return 1; } }`), /exceeded its budget/);
  });

  it("charges built-ins per element", () => {
    assert.match(evaluationError(`@(Enumerable.Range(0, 1000000).Sum())`), /exceeded its budget/);
    assert.match(
      evaluationError(
        `@{ var l = new List<int>(); for (var i = 0; i < 1000; i++) l.Add(i); var t = 0; for (var j = 0; j < 1000; j++) t += l.Sum(); return t; }`,
      ),
      /exceeded its budget/,
    );
  });

  it("caps what strings may grow to", () => {
    assert.match(
      evaluationError(`@{ var s = "x"; while (true) { s += s; } }`),
      /string longer than 16777216 characters/,
    );
    assert.match(evaluationError(`@("x".PadLeft(100000000))`), /string longer than/);
    assert.match(evaluationError(`@(new string('x', int.MaxValue))`), /string longer than/);
  });
});

describe("run-time errors", () => {
  for (const [source, expected] of [
    [`@(context.Product.Name)`, "Object reference not set to an instance of an object."],
    [`@(context.Variables["missing"])`, "The given key 'missing' was not present in the dictionary."],
    [`@((string)context.Variables["n"])`, "Unable to cast object of type 'System.Int32' to type 'System.String'."],
    [
      `@(context.Variables.GetValueOrDefault<string>("n"))`,
      "Unable to cast object of type 'System.Int32' to type 'System.String'.",
    ],
    [`@(int.Parse("abc"))`, "The input string 'abc' was not in a correct format."],
    [`@("abc".Substring(5))`, "startIndex cannot be larger than length of string. (Parameter 'startIndex')"],
    [`@(new[] { 1 }[3])`, "Index was outside the bounds of the array."],
    [`@(1 / (context.Variables.Count - context.Variables.Count))`, "Attempted to divide by zero."],
    [`@(new int[0].First())`, "Sequence contains no elements"],
    [
      `@(JObject.Parse("[1]"))`,
      "Error reading JObject from JsonReader. Current JsonReader item is not an object: StartArray.",
    ],
    [`@{ throw new InvalidOperationException("custom failure"); }`, "custom failure"],
  ] as const) {
    it(`${source} fails with "${expected}"`, () => {
      assert.equal(evaluationError(source, { context: (c) => c.variables.set("n", 5) }), expected);
    });
  }
});

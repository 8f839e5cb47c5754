/**
 * Everything expressions can name, loaded in dependency order: the core types, collections and LINQ, time, JSON,
 * text utilities, and the context facade. The compiler imports this module only.
 */
import "./lib/core.js";
import "./lib/collections.js";
import "./lib/linq.js";
import "./lib/guid.js";
import "./lib/time.js";
import "./lib/jsonlib.js";
import "./lib/utilities.js";
import "./lib/regex.js";
import "./lib/jwt.js";

export { CONTEXT } from "./lib/context.js";
export { EXCEPTION_DEF, exceptionMatches, exceptionValue, thrownException } from "./lib/exceptions.js";

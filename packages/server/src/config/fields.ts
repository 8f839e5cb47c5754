import { z } from "zod";

/** A date-time as configuration files write it: anything `Date.parse` reads. */
export const dateTime = z.string().refine((v) => !Number.isNaN(Date.parse(v)), "must be an ISO 8601 date-time");
/** A GUID in its usual text form, any case. */
export const guid = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, "must be a GUID");

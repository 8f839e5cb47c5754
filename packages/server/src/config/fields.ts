import { z } from "zod";

/** A date-time as configuration files write it: anything `Date.parse` reads. */
export const dateTime = z.string().refine((v) => !Number.isNaN(Date.parse(v)), "must be an ISO 8601 date-time");

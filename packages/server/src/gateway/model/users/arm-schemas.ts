/** Request and response bodies of the user resources (UserContract …); the password is write-only. */
import { z } from "zod";
import { collection, contract, envelope, patchEnvelope, resource } from "../../../admin/apim/schemas.js";
import { MAX_PASSWORD_LENGTH } from "../../../security/password-length.js";
import { groupContractProperties } from "../groups/arm-schemas.js";

const state = z.enum(["active", "blocked", "pending", "deleted"]);
const identity = z.object({ provider: z.string().min(1), id: z.string().min(1) });

const userProperties = z.object({
  email: z.string().min(1).max(254),
  firstName: z.string().min(1).max(100),
  lastName: z.string().min(1).max(100),
  /** Write-only: hashed with scrypt, never returned or exported. */
  password: z.string().max(MAX_PASSWORD_LENGTH * 4),
  state,
  note: z.string().nullable(),
  identities: z.array(identity),
  /** `invite`: the user is created pending and gets an invitation link; `signup` (default): active at once. */
  confirmation: z.enum(["signup", "invite"]),
  /** The application the request comes from (APIM's notification templates); accepted, nothing depends on it. */
  appType: z.enum(["portal", "developerPortal"]),
});
export const userPut = contract(
  "UserCreateParameters",
  envelope(userProperties.partial().required({ email: true, firstName: true, lastName: true })),
);
export const userPatch = contract(
  "UserUpdateParameters",
  patchEnvelope(userProperties.omit({ confirmation: true, appType: true }).partial()),
);
export type UserBody = z.output<typeof userProperties>;

export const userContract = contract(
  "UserContract",
  resource(
    z.object({
      email: z.string(),
      firstName: z.string(),
      lastName: z.string(),
      state,
      note: z.string().nullable(),
      registrationDate: z.string(),
      identities: z.array(identity),
      /** Read-only: the groups the user is in. */
      groups: z.array(groupContractProperties),
    }),
  ),
);
export type UserResource = z.output<typeof userContract>;
export const userCollection = collection("UserCollection", userContract);
export const userTokenParameters = contract(
  "UserTokenParameters",
  z.object({
    properties: z.object({
      /** API Management signs with one of two keys; here either gives an equal token. */
      keyType: z.enum(["primary", "secondary"]),
      expiry: z.iso.datetime({ offset: true }),
    }),
  }),
);
export const userTokenResult = contract("UserTokenResult", z.object({ value: z.string() }));
export const userIdentityCollection = collection("UserIdentityCollection", identity);

/** The registrations of gatehouse.yaml that the example's code and its test refer to (keep the two in step). */
export const APPS = {
  tenantId: "51d0a86d-c1d0-4c77-860d-c2851ea46757",
  /** API1, the Records API: v2 tokens, so their `aud` is this appId. */
  api1: "d444a16a-c105-4334-8e5f-7a3e3b4e032a",
  /** API2, granted access_as_application_API1. */
  api2: "a3bf7792-8be8-4d4c-9f67-08f69988eb23",
  /** A client holding another role of API1 only. */
  noRole: "83e5be45-ae58-4f7d-8298-7668b8acfcd3",
  /** Another resource API2 may call: a token for it has the wrong audience for API1. */
  reportsApi: "5e858e3c-3b8f-497b-b0b5-19491790921c",
} as const;

/** Hosts of gatehouse.yaml, each with a system-assigned identity, for API2's managed-identity variant. */
export const HOSTS = {
  /** Granted access_as_application_API1. */
  api2: "api2",
  /** Granted Records.Audit only: API1 answers 403. */
  noRole: "norole",
} as const;

/** The app role API1 requires. */
export const API1_ROLE = "access_as_application_API1";

/** The scope a client asks for to call API1 (the App ID URI with /.default). */
export const API1_SCOPE = `api://${APPS.api1}/.default`;

/** Case files and policy documents written to a temporary folder, as a user keeps them next to each other. */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Folder {
  path: string;
  /** Writes `files` (name → content) and returns the path of the first. */
  write(files: Record<string, string>): Promise<string>;
  remove(): Promise<void>;
}

export async function tempFolder(): Promise<Folder> {
  const path = await mkdtemp(join(tmpdir(), "gatehouse-policy-tools-"));
  return {
    path,
    async write(files) {
      const paths = Object.keys(files).map((name) => join(path, name));
      await Promise.all(Object.entries(files).map(([name, content]) => writeFile(join(path, name), content)));
      return paths[0] as string;
    },
    remove: () => rm(path, { recursive: true, force: true }),
  };
}

export const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";

/** A validate-jwt document trusting the played tenant's v2.0 issuer, for api://orders with role Orders.Read. */
export const JWT_POLICY = `<policies>
  <inbound>
    <base />
    <validate-jwt header-name="Authorization" failed-validation-error-message="Unauthorized" output-token-variable-name="jwt">
      <openid-config url="https://login.microsoftonline.com/${TENANT}/v2.0/.well-known/openid-configuration" />
      <audiences>
        <audience>api://orders</audience>
      </audiences>
      <required-claims>
        <claim name="roles" match="any">
          <value>Orders.Read</value>
        </claim>
      </required-claims>
    </validate-jwt>
  </inbound>
  <backend>
    <base />
  </backend>
  <outbound>
    <base />
  </outbound>
  <on-error>
    <base />
  </on-error>
</policies>
`;

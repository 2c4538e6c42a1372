/**
 * `npm run token` prints the access token and a login link; `npm run token -- --rotate` replaces
 * it. A running server sees the new token within a second and ends every session, event stream
 * and terminal made with the old one.
 */
import nextEnv from "@next/env";
import { loadConfig } from "../server/config";
import { ensureTokenFile, newToken, writeTokenFile } from "../server/auth/token";
import { loginUrl } from "../server/auth/startup";

nextEnv.loadEnvConfig(process.cwd(), false, { info: () => {}, error: console.error });
const settings = loadConfig();
const rotate = process.argv.includes("--rotate");

if (settings.auth === "off") {
  console.error("AI_SLAVE_AUTH=off: this server uses no token.");
  process.exit(1);
}
if (settings.envToken) {
  if (rotate) {
    console.error("The token comes from AI_SLAVE_TOKEN: change it there and restart the server.");
    process.exit(1);
  }
  console.log(settings.envToken);
  console.log(`Log in: ${loginUrl(settings.host, settings.port, settings.envToken)}`);
} else {
  let token: string;
  if (rotate) {
    token = newToken();
    writeTokenFile(settings.tokenFile, token);
    console.log(`Rotated: every session and open stream made with the old token ends (${settings.tokenFile}).`);
  } else {
    token = ensureTokenFile(settings.tokenFile);
  }
  console.log(token);
  console.log(`Log in: ${loginUrl(settings.host, settings.port, token)}`);
}

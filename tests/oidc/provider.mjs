// A real OpenID Connect provider for the staff sign-in tests (issue 17): the certified `oidc-provider`
// package with its development login pages, on loopback only. Not a mock: discovery, PKCE, signed ID tokens,
// userinfo and RP-initiated logout are the library's own.
//
// Usage: node provider.mjs PORT REDIRECT_URI POST_LOGOUT_URI
// People (any password): anna (group kcc), rob (group kwaliteit), ada (group beheer), nina (no group).
// POST /test/disable/<sub> switches a person off, as a leaver is switched off centrally: the provider then
// refuses their tokens (userinfo answers 401) and their sign-in.
import Provider from "oidc-provider";

const [port, redirectUri, postLogoutUri] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;

const PEOPLE = {
  anna: { name: "Anna Agent", groups: ["kcc"] },
  rob: { name: "Rob Reviewer", groups: ["kwaliteit", "iedereen"] },
  ada: { name: "Ada Admin", groups: ["beheer"] },
  nina: { name: "Nina Nergens", groups: ["iedereen"] },
};
const disabled = new Set();

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: "gemeente-assistent",
      client_secret: "test-secret-that-is-long-enough-for-hs256-0123456789",
      redirect_uris: [redirectUri],
      post_logout_redirect_uris: [postLogoutUri],
      grant_types: ["authorization_code"],
      response_types: ["code"],
    },
  ],
  pkce: { required: () => true },
  claims: { openid: ["sub"], profile: ["name"], groups: ["groups"] },
  scopes: ["openid", "profile", "groups"],
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  async findAccount(ctx, id) {
    if (!PEOPLE[id] || disabled.has(id)) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, name: PEOPLE[id].name, groups: PEOPLE[id].groups };
      },
    };
  },
  // Consent is given once for the test client; the dev consent page is still shown and submitted.
  ttl: { AccessToken: 3600, IdToken: 3600, Session: 3600, Interaction: 600, Grant: 3600 },
});
provider.proxy = false;

provider.use(async (ctx, next) => {
  const match = ctx.path.match(/^\/test\/disable\/([a-z]+)$/);
  if (match && ctx.method === "POST") {
    disabled.add(match[1]);
    ctx.status = 204;
    return;
  }
  await next();
});

provider.listen(Number(port), "127.0.0.1", () => {
  console.log(`ready ${issuer}`);
});

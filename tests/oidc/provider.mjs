// A real OpenID Connect provider for the single sign-on tests: panva/oidc-provider (OpenID Certified), configured
// with one confidential client (the workdesk), an API resource (JWT access tokens), a few accounts whose `groups` claim the tests map to roles and
// clearances, PKCE required, token introspection and revocation on, and RP-initiated logout.
//
// Run: KHO_TEST_OIDC_PORT=... KHO_TEST_OIDC_CLIENT_URL=http://127.0.0.1:PORT node provider.mjs
// It prints one line `ready <issuer>` once it listens. The login screen is the library's development interaction
// (any password); the accounts below are the only ones that exist. Test-only: never a production identity provider.
import Provider, { errors } from 'oidc-provider';

const port = Number(process.env.KHO_TEST_OIDC_PORT);
const clientUrl = process.env.KHO_TEST_OIDC_CLIENT_URL;
if (!port || !clientUrl) {
  console.error('KHO_TEST_OIDC_PORT and KHO_TEST_OIDC_CLIENT_URL are required');
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;
const API_RESOURCE = 'urn:kho:api';

// Who exists at this provider, and their groups (what the directory would say).
const ACCOUNTS = {
  'tp.phapche': { name: 'Trưởng phòng Pháp chế', groups: ['kho-admin', 'kho-mat'] },
  'cv.phapche': { name: 'Chuyên viên Pháp chế', groups: ['kho-legal', 'kho-noibo'] },
  'cv.vanthu': { name: 'Chuyên viên Văn thư', groups: ['kho-staff'] },
  'khach': { name: 'Khách', groups: ['phong-khac'] },
};

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'kho-workdesk',
      client_secret: 'kho-test-secret-not-for-production',
      redirect_uris: [`${clientUrl}/login/sso/callback`],
      post_logout_redirect_uris: [`${clientUrl}/login`],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  async findAccount(ctx, id) {
    const account = ACCOUNTS[id];
    if (!account) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, name: account.name, preferred_username: id, groups: account.groups };
      },
    };
  },
  claims: { openid: ['sub'], profile: ['name', 'preferred_username'], groups: ['groups'] },
  scopes: ['openid', 'profile', 'groups', 'api'],
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
    rpInitiatedLogout: { enabled: true },
    // `resource=urn:kho:api` asks for a JWT access token for the API (audience urn:kho:api, the user's groups
    // inside), as Keycloak or ADFS issue them; without it the token is opaque and checked by introspection.
    resourceIndicators: {
      enabled: true,
      async getResourceServerInfo(ctx, resourceIndicator) {
        if (resourceIndicator !== API_RESOURCE) throw new errors.InvalidTarget();
        return { scope: 'api', audience: API_RESOURCE, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } };
      },
    },
  },
  async extraTokenClaims(ctx, token) {
    const account = ACCOUNTS[token.accountId];
    return token.aud === API_RESOURCE && account ? { groups: account.groups } : undefined;
  },
  cookies: { keys: ['kho-test-cookie-key-not-for-production'] },
  ttl: { AccessToken: 600, IdToken: 600, Session: 3600, Grant: 3600, Interaction: 600 },
});

provider.on('server_error', (ctx, err) => console.error('server_error', err));

provider.listen(port, '127.0.0.1', () => {
  console.log(`ready ${issuer}`);
});

/**
 * A self-signed P-256 certificate for `tls.example.com` (valid until 2125), test-only: it proves
 * the guarded fetch verifies certificates against the hostname while dialling a pinned IP.
 */
export const TLS_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg2Ev9e4fHr2E6Wto4
D6DEG1OpP1DyRqUDkS7Yaa+YFumhRANCAAT2+/iFZzhmVijNqqdIKEeeCtf0PaSM
HDzapPS/GOHTbpU+LkYT45xiKQbRFKKc9DkpTkwXrdcq8grPKYrHbrDo
-----END PRIVATE KEY-----
`;

export const TLS_CERT = `-----BEGIN CERTIFICATE-----
MIIBpzCCAU2gAwIBAgIUBOkwbl1fZEQLCtvPz64xWczwQNgwCgYIKoZIzj0EAwIw
GjEYMBYGA1UEAwwPdGxzLmV4YW1wbGUuY29tMCAXDTI2MTEyMjA2NDI0NVoYDzIx
MjYxMDI5MDY0MjQ1WjAaMRgwFgYDVQQDDA90bHMuZXhhbXBsZS5jb20wWTATBgcq
hkjOPQIBBggqhkjOPQMBBwNCAAT2+/iFZzhmVijNqqdIKEeeCtf0PaSMHDzapPS/
GOHTbpU+LkYT45xiKQbRFKKc9DkpTkwXrdcq8grPKYrHbrDoo28wbTAdBgNVHQ4E
FgQUmDplIQL91LHQuwV5F4xytYDi3E0wHwYDVR0jBBgwFoAUmDplIQL91LHQuwV5
F4xytYDi3E0wDwYDVR0TAQH/BAUwAwEB/zAaBgNVHREEEzARgg90bHMuZXhhbXBs
ZS5jb20wCgYIKoZIzj0EAwIDSAAwRQIhAIUjCW8MVMLCvp035MYn1sMrjIsYn4Kn
msuh8TCDUI59AiBsMY4kmmWNxXcaMrIg4mOV0To3gPpj27DoC3QYvUB6zg==
-----END CERTIFICATE-----
`;

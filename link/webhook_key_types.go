package link

// JWKPublicKey mirrors Plaid's JWKPublicKey schema.
//
// A JSON Web Key (JWK) that can be used in conjunction with JWT libraries to verify Plaid webhooks
type JWKPublicKey struct {
	// The alg member identifies the cryptographic algorithm family used with the key.
	Alg string `json:"alg"`
	// The crv member identifies the cryptographic curve used with the key.
	Crv string `json:"crv"`
	// The kid (Key ID) member can be used to match a specific key. This can be used, for instance, to
	// choose among a set of keys within the JWK during key rollover.
	Kid string `json:"kid"`
	// The kty (key type) parameter identifies the cryptographic algorithm family used with the key,
	// such as RSA or EC.
	Kty string `json:"kty"`
	// The use (public key use) parameter identifies the intended use of the public key.
	Use string `json:"use"`
	// The x member contains the x coordinate for the elliptic curve point, provided as a base64url-
	// encoded string of the coordinate's big endian representation.
	X string `json:"x"`
	// The y member contains the y coordinate for the elliptic curve point, provided as a base64url-
	// encoded string of the coordinate's big endian representation.
	Y string `json:"y"`
	// The timestamp when the key was created, in Unix time.
	CreatedAt int64 `json:"created_at"`
	// The timestamp when the key expired, in Unix time.
	ExpiredAt *int64 `json:"expired_at"`
}

// WebhookVerificationKeyGetRequest mirrors Plaid's WebhookVerificationKeyGetRequest schema.
//
// WebhookVerificationKeyGetRequest defines the request schema for /webhook_verification_key/get
type WebhookVerificationKeyGetRequest struct {
	// The key ID ( kid ) from the JWT header.
	KeyID string `json:"key_id"`
}

// WebhookVerificationKeyGetResponse mirrors Plaid's WebhookVerificationKeyGetResponse schema.
//
// WebhookVerificationKeyGetResponse defines the response schema for /webhook_verification_key/get
type WebhookVerificationKeyGetResponse struct {
	// A JSON Web Key (JWK) that can be used in conjunction with JWT libraries to verify Plaid webhooks
	Key JWKPublicKey `json:"key"`
	// A unique identifier for the request, which can be used for troubleshooting. This identifier,
	// like all Plaid identifiers, is case sensitive.
	RequestID string `json:"request_id"`
}

-- The organisation's OpenPGP keys: the active one signs every CSAF document (`.asc`) and
-- security.txt; retired ones stay for decrypting mail encrypted to them and for their public
-- part, which stays published. The secret key is an armored transferable secret key, its
-- secret parts protected with `openpgp.key_passphrase` when one is configured. No endpoint
-- reads `secret_key`.
CREATE TABLE openpgp_keys (
    fingerprint TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    algorithm TEXT NOT NULL,
    public_key TEXT NOT NULL,
    secret_key TEXT NOT NULL,
    protected BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT,
    added_at BIGINT NOT NULL,
    retired_at BIGINT
);
-- At most one active key.
CREATE UNIQUE INDEX openpgp_keys_active ON openpgp_keys ((retired_at IS NULL)) WHERE retired_at IS NULL;

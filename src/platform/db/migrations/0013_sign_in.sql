-- Sign-in as councils and police expect: two-factor authentication (TOTP with recovery codes) and single sign-on (OpenID Connect).

-- An organisation may require every one of its users to use two-factor authentication.
alter table organisations add column require_two_factor boolean not null default false;

-- A user's authenticator secret. Until enabled_at is set the user is still setting it up.
-- last_used_step stops the same code being used twice.
create table two_factor_secrets (
  user_id uuid primary key references users (id) on delete cascade,
  secret text not null,
  enabled_at timestamptz,
  last_used_step integer,
  created_at timestamptz not null default now()
);

-- Single-use recovery codes: only a SHA-256 is stored (the codes are random, so a slow hash adds nothing).
create table two_factor_recovery_codes (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  code_hash text not null,
  used_at timestamptz,
  created_at timestamptz not null default now()
);
create index two_factor_recovery_codes_user_idx on two_factor_recovery_codes (user_id);

-- A session that has passed the password but not yet the second factor grants nothing.
alter table sessions add column awaiting_second_factor boolean not null default false;
-- How the session was opened: a single sign-on user's second factor is their provider's business.
alter table sessions add column method text not null default 'password' check (method in ('password', 'sso'));

-- OpenID Connect identity providers, configured by an administrator for an organisation.
create table sso_providers (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references organisations (id),
  name text not null check (length(trim(name)) > 0),
  issuer text not null,
  client_id text not null,
  client_secret text not null,
  email_domains text[] not null check (cardinality(email_domains) > 0),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index sso_providers_organisation_idx on sso_providers (organisation_id);

-- One row per redirect to a provider: the state (hashed), the PKCE verifier and nonce; deleted when the callback uses it.
create table sso_sign_in_attempts (
  state_hash text primary key,
  provider_id uuid not null references sso_providers (id) on delete cascade,
  code_verifier text not null,
  nonce text not null,
  return_to text not null,
  created_at timestamptz not null default now()
);

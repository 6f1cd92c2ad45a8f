variable "descope_management_key" {
  description = "A Descope management key (Company Settings); or leave null and export DESCOPE_MANAGEMENT_KEY"
  type        = string
  sensitive   = true
  default     = null
}

variable "descope_project_id" {
  description = "The Descope project to configure (P...)"
  type        = string
}

variable "worker_base_url" {
  description = "The kosmos-connect Worker's public origin, e.g. https://kosmos.example.com (no trailing slash)"
  type        = string
}

variable "connector_hmac_secret" {
  description = "HMAC secret of the HTTP connector; the same value as the Worker secret DESCOPE_HMAC_SECRET"
  type        = string
  sensitive   = true
}

variable "audit_hmac_secret" {
  description = "HMAC secret of the audit webhook connector; the same value as the Worker secret DESCOPE_AUDIT_HMAC_SECRET"
  type        = string
  sensitive   = true
}

variable "rfc9421_signing_enabled" {
  description = "Sign connector calls with RFC 9421 HTTP Message Signatures"
  type        = bool
  default     = false
}

variable "rfc9421_private_key" {
  description = "The RFC 9421 signing key (PEM for ECDSA P-256 / Ed25519 / RSA, or an HMAC secret); its public half goes to the Worker's secret DESCOPE_HTTPSIG_KEYS as { \"<rfc9421_key_id>\": \"<PEM>\" }"
  type        = string
  sensitive   = true
  default     = null
}

variable "rfc9421_key_id" {
  description = "The keyid Descope puts in Signature-Input, so the Worker can pick the key"
  type        = string
  default     = "descope-connector"
}

# What a Descope team applies: the Generic HTTP connector that calls the
# kosmos-connect Worker, the audit webhook connector that streams sign-ups and
# logins to it (Mechanism C), the custom attributes the flow writes, and the
# flow template itself. Every secret is a variable (terraform.tfvars or TF_VAR_*).
# Checked by tests/js/descope-terraform.test.js against the provider's
# documented schema (tests/vectors/descope-provider-schema.json).

terraform {
  required_version = ">= 1.0"
  required_providers {
    descope = {
      source  = "descope/descope"
      version = ">= 0.3"
    }
  }
}

provider "descope" {
  management_key = var.descope_management_key
}

# The four connector nodes and the risk endpoint: POST {base_url}/v1/descope/*.
# The flow refers to it by name (`kosmos-connect`, references.connectors).
resource "descope_http_connector" "kosmos_connect" {
  project_id  = var.descope_project_id
  name        = "kosmos-connect"
  description = "1Kosmos IDV, LiveID step-up and risk decisions through the kosmos-connect Worker"
  base_url    = var.worker_base_url

  # The Worker checks x-descope-webhook-s256 when DESCOPE_HMAC_SECRET is set to the same value.
  hmac_secret = var.connector_hmac_secret

  # RFC 9421 HTTP Message Signatures (preferred): the Worker verifies them with the public half of
  # rfc9421_private_key in its secret DESCOPE_HTTPSIG_KEYS ({ "<rfc9421_key_id>": "<PEM>" }); it requires
  # @method, @target-uri, content-digest, created and expires (the ttl), and refuses a replayed signature.
  rfc9421_signing_enabled = var.rfc9421_signing_enabled
  rfc9421_private_key     = var.rfc9421_private_key
  rfc9421_key_id          = var.rfc9421_key_id
  rfc9421_components      = "@method, @target-uri, @authority, content-type, content-digest"
  rfc9421_signature_ttl   = 300

  include_headers_in_context = false
  insecure                   = false
}

# Mechanism C: audit events to POST {worker}/v1/webhooks/descope-audit, signed with
# hmac_secret (the Worker's DESCOPE_AUDIT_HMAC_SECRET).
resource "descope_audit_webhook_connector" "kosmos_audit" {
  project_id  = var.descope_project_id
  name        = "kosmos-connect audit hooks"
  description = "Sign-ups and logins to kosmos-connect: IDV for risky sign-ups, step-up marks for logins at new devices"
  base_url    = "${var.worker_base_url}/v1/webhooks/descope-audit"
  hmac_secret = var.audit_hmac_secret

  audit_filters = [
    {
      key      = "actions"
      operator = "includes"
      values   = ["UserCreated", "LoginSucceed"]
    },
  ]
}

# The custom attributes the flow writes from the IDV result (verified claims) and federation maps.
locals {
  kosmos_attributes = {
    kosmosIal            = "1Kosmos IAL"
    kosmosTrustFramework = "1Kosmos trust framework"
    kosmosVerifiedAt     = "1Kosmos verified at"
    kosmosGivenName      = "1Kosmos verified given name"
    kosmosFamilyName     = "1Kosmos verified family name"
    kosmosBirthdate      = "1Kosmos verified birthdate"
    kosmosIdvSessionId   = "1Kosmos IDV session"
    kosmosAcr            = "1Kosmos acr (federation)"
  }
}

resource "descope_user_attribute" "kosmos" {
  for_each   = local.kosmos_attributes
  project_id = var.descope_project_id
  id         = each.key
  name       = each.value
  type       = "string"
}

resource "descope_flow" "kosmos_sign_up_or_in" {
  project_id = var.descope_project_id
  flow_id    = "kosmos-sign-up-or-in"
  data       = file("${path.module}/../flows/kosmos-sign-up-or-in.json")

  depends_on = [descope_http_connector.kosmos_connect, descope_user_attribute.kosmos]
}

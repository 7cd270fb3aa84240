// Key Vault (RBAC authorization) holding the reviewer secrets, which the function app reads through
// @Microsoft.KeyVault(SecretUri=...) references so that no secret value sits in its app settings.

param name string
param location string
param tags object = {}

@description('Name of the secret holding the reviewer webhook HMAC secret.')
param webhookSecretName string

@secure()
@description('Reviewer webhook HMAC secret (AgentFunctions:Review:WebhookSecret).')
param webhookSecret string

@description('Name of the secret holding the review-page link HMAC secret.')
param linkSecretName string

@secure()
@description('Review-page link HMAC secret (AgentFunctions:Review:LinkSecret), at least 16 characters.')
param linkSecret string

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    // Access through Azure roles (Key Vault Secrets User), not vault access policies.
    enableRbacAuthorization: true
    enableSoftDelete: true
    // Short retention and no purge protection, so that `azd down --purge` can free the name.
    softDeleteRetentionInDays: 7
    publicNetworkAccess: 'Enabled'
  }

  resource webhook 'secrets' = {
    name: webhookSecretName
    properties: {
      value: webhookSecret
      contentType: 'text/plain'
    }
  }

  resource link 'secrets' = {
    name: linkSecretName
    properties: {
      value: linkSecret
      contentType: 'text/plain'
    }
  }
}

output name string = vault.name
output uri string = vault.properties.vaultUri
// Versionless URIs: the app picks up a new secret version without a redeployment.
output webhookSecretUri string = vault::webhook.properties.secretUri
output linkSecretUri string = vault::link.properties.secretUri

// AgentFunctions on Azure: a resource group with the Functions app (Flex Consumption), its storage, identity,
// Azure OpenAI, Key Vault, monitoring and, optionally, Azure AI Search. Deployed by `azd up` (azure.yaml).
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name; names the resource group and seeds every resource name.')
param environmentName string

@minLength(1)
@description('Region for every resource except, if set apart, Azure OpenAI.')
param location string

@description('Object id of the principal running the deployment (azd sets AZURE_PRINCIPAL_ID); empty grants it nothing.')
param principalId string = ''

@allowed([
  'User'
  'ServicePrincipal'
  'Group'
])
@description('Kind of principal principalId is.')
param principalType string = 'User'

@description('Region of the Azure OpenAI account, where the model below must be offered; empty: location.')
param openAiLocation string = ''

@description('Name of the model deployment the app calls (AZURE_OPENAI_DEPLOYMENT).')
param openAiDeploymentName string = 'chat'

param openAiModelName string = 'gpt-4o-mini'
param openAiModelVersion string = '2024-07-18'

@description('Deployment type of the model: GlobalStandard (pay per token, worldwide routing), Standard, DataZoneStandard, ...')
param openAiSkuName string = 'GlobalStandard'

@minValue(1)
@description('Model capacity in thousands of tokens per minute.')
param openAiCapacity int = 30

@description('Deploy Azure AI Search and point the app at it (AZURE_SEARCH_*); off: the app searches its shipped corpus.')
param enableSearch bool = false

@allowed([
  'free'
  'basic'
  'standard'
])
param searchSkuName string = 'basic'

@description('Index the app queries when search is on; create and fill it before sending questions.')
param searchIndexName string = 'agentfunctions-corpus'

@minLength(3)
@maxLength(45)
@description('Durable Task hub name (letters and digits, starting with a letter).')
param taskHubName string = 'AgentFunctionsHub'

@secure()
@description('Reviewer webhook HMAC secret; main.parameters.json has azd generate it once and read it back from Key Vault afterwards.')
param reviewWebhookSecret string

@secure()
@description('Review-page link HMAC secret; generated and kept like reviewWebhookSecret.')
param reviewLinkSecret string

// azd generates 15-character secrets; the link secret must have at least 16 characters and a longer HMAC key
// costs nothing. A short secret is lengthened with this per-deployment GUID once; on later runs azd reads the
// stored (long) secret back from Key Vault, so it is kept as is and stays stable.
@secure()
@description('Leave unset: a fresh GUID that lengthens a short generated secret.')
param secretPadding string = newGuid()

var tags = {
  'azd-env-name': environmentName
}
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var functionAppName = 'func-${resourceToken}'
var deploymentContainerName = 'app-package-${resourceToken}'
var minimumSecretLength = 32

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module monitoring 'core/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: 'log-${resourceToken}'
    applicationInsightsName: 'appi-${resourceToken}'
    location: location
    tags: tags
  }
}

module identity 'core/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: 'id-${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'core/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: 'st${resourceToken}'
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
    // The research-batch trigger's queue and the poison queue the Functions runtime moves failed messages to.
    queueNames: [
      'research-batch'
      'research-batch-poison'
    ]
  }
}

module openAi 'core/openai.bicep' = {
  name: 'openai'
  scope: rg
  params: {
    name: 'oai-${resourceToken}'
    // azd passes an unset AZURE_OPENAI_LOCATION as '', not as "no value", so the fallback is here.
    location: empty(openAiLocation) ? location : openAiLocation
    tags: tags
    deploymentName: openAiDeploymentName
    modelName: openAiModelName
    modelVersion: openAiModelVersion
    skuName: openAiSkuName
    capacity: openAiCapacity
  }
}

module keyVault 'core/keyvault.bicep' = {
  name: 'keyvault'
  scope: rg
  params: {
    name: 'kv-${resourceToken}'
    location: location
    tags: tags
    webhookSecretName: 'review-webhook-secret'
    webhookSecret: length(reviewWebhookSecret) >= minimumSecretLength ? reviewWebhookSecret : '${reviewWebhookSecret}${secretPadding}'
    linkSecretName: 'review-link-secret'
    linkSecret: length(reviewLinkSecret) >= minimumSecretLength ? reviewLinkSecret : '${reviewLinkSecret}${secretPadding}'
  }
}

module search 'core/search.bicep' = if (enableSearch) {
  name: 'search'
  scope: rg
  params: {
    name: 'srch-${resourceToken}'
    location: location
    tags: tags
    skuName: searchSkuName
  }
}

module rbac 'core/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    identityPrincipalId: identity.outputs.principalId
    principalId: principalId
    principalType: principalType
    storageAccountName: storage.outputs.name
    openAiName: openAi.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    keyVaultName: keyVault.outputs.name
    searchName: enableSearch ? search!.outputs.name : ''
  }
}

module functionApp 'app/functionapp.bicep' = {
  name: 'functionapp'
  scope: rg
  // The app reads its deployment package, storage and Key Vault references as the identity from its first
  // start, so the roles must exist before it does.
  dependsOn: [
    rbac
  ]
  params: {
    name: functionAppName
    planName: 'plan-${resourceToken}'
    location: location
    // azd finds the host of the `api` service in azure.yaml by this tag.
    tags: union(tags, {
      'azd-service-name': 'api'
    })
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    storageBlobEndpoint: storage.outputs.blobEndpoint
    deploymentContainerName: deploymentContainerName
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    openAiEndpoint: openAi.outputs.endpoint
    openAiDeploymentName: openAi.outputs.deploymentName
    taskHubName: taskHubName
    webhookSecretUri: keyVault.outputs.webhookSecretUri
    linkSecretUri: keyVault.outputs.linkSecretUri
    searchEndpoint: enableSearch ? search!.outputs.endpoint : ''
    searchIndexName: enableSearch ? searchIndexName : ''
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output SERVICE_API_NAME string = functionApp.outputs.name
output SERVICE_API_URI string = functionApp.outputs.uri
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_OPENAI_ENDPOINT string = openAi.outputs.endpoint
output AZURE_OPENAI_DEPLOYMENT string = openAi.outputs.deploymentName
output AZURE_SEARCH_ENDPOINT string = enableSearch ? search!.outputs.endpoint : ''
output AZURE_SEARCH_INDEX string = enableSearch ? searchIndexName : ''
output AZURE_DURABLE_TASK_HUB_NAME string = taskHubName
output APPLICATIONINSIGHTS_CONNECTION_STRING string = monitoring.outputs.connectionString

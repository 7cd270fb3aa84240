// The Functions app on a Flex Consumption (FC1) plan: Linux, .NET isolated worker, running as the
// user-assigned identity for everything (storage, deployment package, OpenAI, Key Vault references, telemetry).

param name string
param planName string
param location string
param tags object = {}

@description('Resource id of the user-assigned identity the app runs as.')
param identityId string

@description('Client id of that identity, for DefaultAzureCredential and identity-based connections.')
param identityClientId string

param storageAccountName string

@description('Blob endpoint of the storage account, ending in /.')
param storageBlobEndpoint string

param deploymentContainerName string

param applicationInsightsConnectionString string

param openAiEndpoint string
param openAiDeploymentName string

@description('Durable Task hub name (letters and digits, starting with a letter).')
param taskHubName string

@description('Versionless Key Vault URI of the reviewer webhook secret.')
param webhookSecretUri string

@description('Versionless Key Vault URI of the review-page link secret.')
param linkSecretUri string

@description('Azure AI Search endpoint; empty when search is off (the app then answers from its shipped corpus).')
param searchEndpoint string = ''

@description('Azure AI Search index; empty when search is off.')
param searchIndexName string = ''

@description('.NET version of the isolated worker. Flex Consumption lists dotnet-isolated 8.0, 9.0 and 10.0.')
param runtimeVersion string = '10.0'

@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    // Flex Consumption runs on Linux only.
    reserved: true
  }
}

resource app 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Key Vault references resolve with this identity; without it the platform tries a system identity.
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      // FUNCTIONS_WORKER_RUNTIME and FUNCTIONS_EXTENSION_VERSION are not set here: on Flex Consumption the
      // runtime comes from functionAppConfig and the platform refuses those settings.
      appSettings: [
        // Identity-based AzureWebJobsStorage: host, Durable Task hub and the research-batch queue trigger.
        {
          name: 'AzureWebJobsStorage__accountName'
          value: storageAccountName
        }
        {
          name: 'AzureWebJobsStorage__credential'
          value: 'managedidentity'
        }
        {
          name: 'AzureWebJobsStorage__clientId'
          value: identityClientId
        }
        // DefaultAzureCredential in the worker (Azure OpenAI, Azure AI Search) picks the user-assigned identity.
        {
          name: 'AZURE_CLIENT_ID'
          value: identityClientId
        }
        {
          name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
          value: applicationInsightsConnectionString
        }
        // Application Insights refuses unauthenticated telemetry (DisableLocalAuth).
        {
          name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING'
          value: 'ClientId=${identityClientId};Authorization=AAD'
        }
        {
          name: 'AZURE_OPENAI_ENDPOINT'
          value: openAiEndpoint
        }
        {
          name: 'AZURE_OPENAI_DEPLOYMENT'
          value: openAiDeploymentName
        }
        {
          name: 'AZURE_SEARCH_ENDPOINT'
          value: searchEndpoint
        }
        {
          name: 'AZURE_SEARCH_INDEX'
          value: searchIndexName
        }
        {
          name: 'AzureFunctionsJobHost__extensions__durableTask__hubName'
          value: taskHubName
        }
        // Secrets stay in Key Vault; the platform resolves these references with keyVaultReferenceIdentity.
        {
          name: 'AgentFunctions__Review__WebhookSecret'
          value: '@Microsoft.KeyVault(SecretUri=${webhookSecretUri})'
        }
        {
          name: 'AgentFunctions__Review__LinkSecret'
          value: '@Microsoft.KeyVault(SecretUri=${linkSecretUri})'
        }
      ]
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storageBlobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'dotnet-isolated'
        version: runtimeVersion
      }
    }
  }

  // Deployments go through azd's Entra ID token to the publish endpoint; basic (user name and password)
  // publishing credentials are not needed, so they are off.
  resource ftpCredentials 'basicPublishingCredentialsPolicies' = {
    name: 'ftp'
    properties: {
      allow: false
    }
  }

  resource scmCredentials 'basicPublishingCredentialsPolicies' = {
    name: 'scm'
    properties: {
      allow: false
    }
  }
}

output name string = app.name
output defaultHostName string = app.properties.defaultHostName
output uri string = 'https://${app.properties.defaultHostName}'

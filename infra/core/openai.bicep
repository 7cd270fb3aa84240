// Azure OpenAI with one model deployment, reachable only with Entra ID tokens (no API keys).

param name string
param location string
param tags object = {}

@description('Name of the model deployment; the app sends it as AZURE_OPENAI_DEPLOYMENT.')
param deploymentName string

param modelName string
param modelVersion string

@description('Deployment type: GlobalStandard, Standard, DataZoneStandard, ...')
param skuName string

@description('Capacity in thousands of tokens per minute.')
param capacity int

resource account 'Microsoft.CognitiveServices/accounts@2024-10-01' = {
  name: name
  location: location
  tags: tags
  kind: 'OpenAI'
  sku: {
    name: 'S0'
  }
  properties: {
    // Entra ID authentication needs a custom subdomain (https://<name>.openai.azure.com/).
    customSubDomainName: name
    disableLocalAuth: true
    publicNetworkAccess: 'Enabled'
  }
}

resource deployment 'Microsoft.CognitiveServices/accounts/deployments@2024-10-01' = {
  parent: account
  name: deploymentName
  sku: {
    name: skuName
    capacity: capacity
  }
  properties: {
    model: {
      format: 'OpenAI'
      name: modelName
      version: modelVersion
    }
  }
}

output name string = account.name
output endpoint string = account.properties.endpoint
output deploymentName string = deployment.name

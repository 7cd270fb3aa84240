// Azure AI Search, reachable only with Entra ID tokens. Deployed only when main.bicep's enableSearch is true.

param name string
param location string
param tags object = {}

@allowed([
  'free'
  'basic'
  'standard'
])
param skuName string

resource search 'Microsoft.Search/searchServices@2023-11-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: skuName
  }
  properties: {
    replicaCount: 1
    partitionCount: 1
    hostingMode: 'default'
    publicNetworkAccess: 'enabled'
    // authOptions must be absent when local (API key) authentication is disabled.
    disableLocalAuth: true
  }
}

output name string = search.name
output endpoint string = 'https://${search.name}.search.windows.net'

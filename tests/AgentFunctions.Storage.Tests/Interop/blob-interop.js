// Interop peer for BlobInteropTests: uses the official @azure/storage-blob SDK against the same Azurite.
// Usage: node blob-interop.js read|write  (env: CONNECTION, CONTAINER, BLOB, TEXT for write)
const { BlobServiceClient } = require("@azure/storage-blob");

async function main() {
  const [mode] = process.argv.slice(2);
  const blob = BlobServiceClient.fromConnectionString(process.env.CONNECTION)
    .getContainerClient(process.env.CONTAINER)
    .getBlockBlobClient(process.env.BLOB);
  if (mode === "read") {
    const buffer = await blob.downloadToBuffer();
    const properties = await blob.getProperties();
    process.stdout.write(JSON.stringify({ text: buffer.toString("utf8"), etag: properties.etag }));
  } else if (mode === "write") {
    const body = Buffer.from(process.env.TEXT, "utf8");
    const result = await blob.upload(body, body.length);
    process.stdout.write(JSON.stringify({ etag: result.etag }));
  } else {
    throw new Error("unknown mode " + mode);
  }
}

main().catch((e) => { console.error(e && e.stack || e); process.exit(1); });

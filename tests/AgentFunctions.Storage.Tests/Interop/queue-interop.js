// Interop peer for QueueInteropTests: uses the official @azure/storage-queue SDK against the same Azurite.
// Usage: node queue-interop.js read|send  (env: CONNECTION, QUEUE, TEXT for send)
// The JS SDK v12 sends and returns message text as-is (it has no encoder); like the Functions host, this
// script base64-decodes what it reads and base64-encodes what it sends.
const { QueueClient } = require("@azure/storage-queue");

async function main() {
  const [mode] = process.argv.slice(2);
  const queue = new QueueClient(process.env.CONNECTION, process.env.QUEUE);
  if (mode === "read") {
    const response = await queue.receiveMessages({ numberOfMessages: 1, visibilityTimeout: 30 });
    const message = response.receivedMessageItems[0];
    if (!message) throw new Error("no message");
    process.stdout.write(JSON.stringify({ raw: message.messageText, decoded: Buffer.from(message.messageText, "base64").toString("utf8") }));
  } else if (mode === "send") {
    await queue.sendMessage(Buffer.from(process.env.TEXT, "utf8").toString("base64"));
    await queue.sendMessage("raw:" + process.env.TEXT);
  } else {
    throw new Error("unknown mode " + mode);
  }
}

main().catch((e) => { console.error(e && e.stack || e); process.exit(1); });

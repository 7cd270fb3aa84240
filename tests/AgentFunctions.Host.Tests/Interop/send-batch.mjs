// Sends one research-batch message with the official @azure/storage-queue SDK, as a producer outside .NET would.
// Usage: node send-batch.mjs  (env: CONNECTION, QUEUE, TEXT)
// The JS SDK v12 sends message text as-is; the Functions queue trigger expects base64 by default, so the
// script encodes it, as Functions' own documentation tells JavaScript producers to.
// ES modules ignore NODE_PATH, so the SDK is loaded through a CommonJS require that honours it.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { QueueClient } = require("@azure/storage-queue");

const queue = new QueueClient(process.env.CONNECTION, process.env.QUEUE);
try {
  await queue.createIfNotExists();
  const sent = await queue.sendMessage(Buffer.from(process.env.TEXT, "utf8").toString("base64"));
  process.stdout.write(JSON.stringify({ messageId: sent.messageId }));
} catch (e) {
  console.error((e && e.stack) || e);
  process.exit(1);
}

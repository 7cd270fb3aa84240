// Interop peer for TableInteropTests: uses the official @azure/data-tables SDK against the same Azurite.
// Usage: node table-interop.js read|write  (env: CONNECTION, TABLE)
const { TableClient, odata } = require("@azure/data-tables");

async function main() {
  const [mode] = process.argv.slice(2);
  const table = TableClient.fromConnectionString(process.env.CONNECTION, process.env.TABLE, { allowInsecureConnection: true });
  if (mode === "read") {
    const e = await table.getEntity("p", "from-dotnet");
    process.stdout.write(JSON.stringify({
      // Int64 and Guid come back typed (BigInt, or { value, type } in older SDKs); report their text.
      text: e.Text, int: e.Int, long: String(typeof e.Long === "object" ? e.Long.value : e.Long), double: e.Double, flag: e.Flag,
      when: e.When instanceof Date ? e.When.toISOString() : e.When,
      id: String(typeof e.Id === "object" ? e.Id.value : e.Id), bytes: Buffer.from(e.Bytes).toString("hex"),
    }));
  } else if (mode === "write") {
    await table.createEntity({
      partitionKey: "p", rowKey: "from-js", Text: "it's JS", Int: 7,
      Long: { value: "9007199254740993", type: "Int64" }, Double: 2.5, Flag: false,
      When: new Date("2024-03-01T12:00:00.123Z"), Id: { value: "0f8fad5b-d9cb-469f-a165-70867728950e", type: "Guid" },
      Bytes: new Uint8Array([1, 2, 250]),
    });
  } else {
    throw new Error("unknown mode " + mode);
  }
}

main().catch((e) => { console.error(e && e.stack || e); process.exit(1); });

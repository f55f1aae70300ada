// A third-party ActivityPub peer built with Fedify, driven by tests/federation/test_fedify.py.
//
// node fedify_peer.mjs <port> <chapter actor URL>
//
// It serves one Person actor ("peer") on 127.0.0.1:<port>, looks the chapter up by
// WebFinger, fetches the Group actor, follows it, and reports what arrives in its
// inbox. Fedify verifies the HTTP signature of every incoming activity before a
// listener sees it, so an "accept" or "create" line means a verified delivery.
// Every report is one JSON object a line on stdout.
import http from "node:http";
import {
  Accept,
  Create,
  Delete,
  Follow,
  MemoryKvStore,
  Person,
  Update,
  createFederation,
  generateCryptoKeyPair,
  lookupWebFinger,
} from "@fedify/fedify";

const [port, target] = [Number(process.argv[2]), process.argv[3]];
const origin = `http://127.0.0.1:${port}`;
const report = (event) => process.stdout.write(`${JSON.stringify(event)}\n`);
const keys = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");

const federation = createFederation({ kv: new MemoryKvStore(), allowPrivateAddress: true });

federation
  .setActorDispatcher("/users/{identifier}", async (ctx, identifier) => {
    if (identifier !== "peer") return null;
    const [pair] = await ctx.getActorKeyPairs(identifier);
    return new Person({
      id: ctx.getActorUri(identifier),
      preferredUsername: identifier,
      name: "Fedify peer",
      inbox: ctx.getInboxUri(identifier),
      publicKey: pair.cryptographicKey,
    });
  })
  .setKeyPairsDispatcher(async (_ctx, identifier) => (identifier === "peer" ? [keys] : []));

async function objectReport(event, activity) {
  const object = await activity.getObject();
  return {
    event,
    actor: activity.actorId?.href,
    type: object?.constructor?.name,
    id: object?.id?.href,
    name: object?.name?.toString(),
  };
}

federation
  .setInboxListeners("/users/{identifier}/inbox", "/inbox")
  .on(Accept, async (_ctx, accept) => {
    report({ event: "accept", actor: accept.actorId?.href, object: accept.objectId?.href });
  })
  .on(Create, async (_ctx, create) => report(await objectReport("create", create)))
  .on(Update, async (_ctx, update) => report(await objectReport("update", update)))
  .on(Delete, async (_ctx, deletion) => {
    report({ event: "delete", actor: deletion.actorId?.href, object: deletion.objectId?.href });
  })
  .onError(async (_ctx, error) => report({ event: "error", message: String(error) }));

const server = http.createServer(async (request, response) => {
  const chunks = [];
  for await (const chunk of request) chunks.push(chunk);
  const body = chunks.length ? Buffer.concat(chunks) : undefined;
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  const answer = await federation.fetch(
    new Request(new URL(request.url, origin), { method: request.method, headers, body }),
    { contextData: undefined },
  );
  if (request.method === "POST") report({ event: "inbox", status: answer.status });
  response.writeHead(answer.status, Object.fromEntries(answer.headers));
  response.end(Buffer.from(await answer.arrayBuffer()));
});

server.listen(port, "127.0.0.1", async () => {
  try {
    const ctx = federation.createContext(new URL(origin), undefined);
    const finger = await lookupWebFinger(target, { allowPrivateAddress: true });
    const self = finger?.links?.find((link) => link.rel === "self");
    report({ event: "webfinger", subject: finger?.subject, self: self?.href, type: self?.type });
    const group = await ctx.lookupObject(self?.href ?? target);
    report({
      event: "group",
      id: group?.id?.href,
      type: group?.constructor?.name,
      preferredUsername: group?.preferredUsername?.toString(),
      inbox: group?.inboxId?.href,
    });
    const follow = new Follow({
      id: new URL(`${origin}/follows/${Date.now()}`),
      actor: ctx.getActorUri("peer"),
      object: group.id,
    });
    await ctx.sendActivity({ identifier: "peer" }, group, follow);
    report({ event: "follow-sent", id: follow.id.href });
  } catch (error) {
    report({ event: "error", message: String(error?.stack ?? error) });
  }
});

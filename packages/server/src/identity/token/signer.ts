import { availableParallelism } from "node:os";
import type { Worker } from "node:worker_threads";
import { startModuleWorker } from "../../util/module-worker.js";
import type { SignerRequest, SignerResponse } from "./sign-worker.js";

export class SignerError extends Error {
  override name = "SignerError";
}

interface Pending {
  resolve(token: string): void;
  reject(error: Error): void;
}

/**
 * RS256 signing on worker threads, so the event loop keeps parsing requests while RSA runs on every core.
 * Requests go round-robin; each worker holds the private keys it was sent.
 */
export class TokenSigner {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  private readonly keys = new Map<string, string>();
  private nextId = 1;
  private turn = 0;
  private closed = false;

  constructor(size = availableParallelism()) {
    for (let i = 0; i < Math.max(1, size); i++) this.workers.push(this.spawn());
  }

  private spawn(): Worker {
    const worker = startModuleWorker(import.meta.url, "sign-worker");
    worker.unref();
    worker.on("message", (message: SignerResponse) => {
      const pending = this.pending.get(message.id);
      if (!pending) return;
      this.pending.delete(message.id);
      if ("token" in message) pending.resolve(message.token);
      else pending.reject(new SignerError(message.error));
    });
    worker.on("error", (error) => {
      for (const [id, pending] of this.pending) {
        pending.reject(new SignerError(`signer worker failed: ${error.message}`));
        this.pending.delete(id);
      }
    });
    return worker;
  }

  /** Loads keys into every worker (idempotent) and drops the ones no longer given. */
  setKeys(keys: { kid: string; privateKeyPem: string }[]): void {
    const wanted = new Set(keys.map((k) => k.kid));
    for (const kid of this.keys.keys()) {
      if (!wanted.has(kid)) {
        this.keys.delete(kid);
        this.broadcast({ type: "drop", kid });
      }
    }
    for (const key of keys) {
      if (this.keys.get(key.kid) === key.privateKeyPem) continue;
      this.keys.set(key.kid, key.privateKeyPem);
      this.broadcast({ type: "key", kid: key.kid, privateKeyPem: key.privateKeyPem });
    }
  }

  private broadcast(message: SignerRequest): void {
    for (const worker of this.workers) worker.postMessage(message);
  }

  sign(kid: string, header: object, payload: object): Promise<string> {
    if (this.closed) return Promise.reject(new SignerError("signer is closed"));
    const id = this.nextId++;
    const worker = this.workers[this.turn++ % this.workers.length] as Worker;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ type: "sign", id, kid, header, payload } satisfies SignerRequest);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
    for (const pending of this.pending.values()) pending.reject(new SignerError("signer is closed"));
    this.pending.clear();
  }
}

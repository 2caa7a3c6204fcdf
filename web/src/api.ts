// The SmartRetail API with the signed-in user's token. Errors carry the API's own message, which
// says what to change; a 401 ends the session.

import { idToken, signOut } from "./auth";
import { config } from "./config";

export class ApiError extends Error {
  constructor(message: string, readonly status: number) { super(message); }
}

function describe(status: number, body: any): string {
  if (typeof body?.error === "string") return body.error;
  if (typeof body?.message === "string") return body.message;
  if (Array.isArray(body?.detail)) return body.detail.map((d: any) => `${(d.loc || []).slice(1).join(".")}: ${d.msg}`).join("; ");
  if (typeof body?.detail === "string") return body.detail;
  return `The request failed (${status}).`;
}

async function send(path: string, init: RequestInit = {}): Promise<Response> {
  const response = await fetch(config.apiUrl + path, {
    ...init,
    headers: { Authorization: idToken() ?? "", "Content-Type": "application/json", ...(init.headers || {}) },
  });
  if (response.status === 401) {
    signOut();
    throw new ApiError("Your session has ended: sign in again.", 401);
  }
  if (!response.ok) throw new ApiError(describe(response.status, await response.json().catch(() => ({}))), response.status);
  return response;
}

export const get = async <T = any>(path: string): Promise<T> => (await send(path)).json();

export const post = async <T = any>(path: string, body: unknown = {}, headers: Record<string, string> = {}): Promise<T> =>
  (await send(path, { method: "POST", body: JSON.stringify(body), headers })).json();

export const put = async <T = any>(path: string, body: unknown): Promise<T> =>
  (await send(path, { method: "PUT", body: JSON.stringify(body) })).json();

export const del = async <T = any>(path: string): Promise<T> => (await send(path, { method: "DELETE" })).json();

/** A file the API makes (CSV or JSON export), as a blob to save. */
export const getFile = async (path: string): Promise<Blob> => (await send(path)).blob();

export const query = (params: Record<string, string | number | null | undefined>) => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== "") q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : "";
};

/** Send a file through an upload slot's presigned POST, then poll `statusPath` while it is in `waiting`. */
export async function uploadThrough(slot: any, file: File, statusPath: string, waiting: string[], seconds: number): Promise<any> {
  if (file.size > slot.max_bytes) throw new Error(`The file is larger than ${(slot.max_bytes / 1048576).toFixed(0)} MB.`);
  const form = new FormData();
  Object.entries(slot.upload.fields as Record<string, string>).forEach(([k, v]) => form.append(k, v));
  form.append("file", file);
  const stored = await fetch(slot.upload.url, { method: "POST", body: form });
  if (!stored.ok) throw new Error(`Storage refused the file (${stored.status}).`);
  let record: any = null;
  for (let i = 0; i < seconds; i++) {
    record = await get(statusPath);
    if (!waiting.includes(record.status)) return record;
    await new Promise((r) => setTimeout(r, 1000));
  }
  return record;
}

export const idempotent = () => ({ "Idempotency-Key": crypto.randomUUID() });

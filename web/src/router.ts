// Pages by hash (#/forecast?sku_id=BEV-001): links from the copilot or an alert open a page already
// filtered, the browser's back button works, and the static host needs no rewrite rules.

export interface Route { page: string; rest: string[]; params: URLSearchParams; }

export function currentRoute(): Route {
  const [path, search = ""] = location.hash.replace(/^#\/?/, "").split("?");
  const [page = "overview", ...rest] = path.split("/").filter(Boolean).map(decodeURIComponent);
  return { page, rest, params: new URLSearchParams(search) };
}

export function href(page: string, params: Record<string, string | number | null | undefined> = {}, ...rest: string[]): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== "") q.set(k, String(v));
  const path = [page, ...rest].map(encodeURIComponent).join("/");
  return `#/${path}${q.toString() ? `?${q}` : ""}`;
}

export const go = (page: string, params: Record<string, string | number | null | undefined> = {}, ...rest: string[]) => {
  location.hash = href(page, params, ...rest);
};

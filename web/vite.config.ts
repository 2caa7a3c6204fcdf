import { defineConfig } from "vite";

// One static build: S3 + CloudFront serve it in AWS, the local stack serves the same folder.
// Settings (API, Cognito) are not built in: the page reads /config.json, written at deploy time.
export default defineConfig({
  base: "/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    // A strict CSP (no inline script or style) holds only if nothing is inlined as a data: script.
    assetsInlineLimit: 0,
  },
});

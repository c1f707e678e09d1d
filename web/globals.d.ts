// Stylesheets are bundled by esbuild (web/build.mjs).
declare module '*.css';

// Vite's `?inline` import: the stylesheet's text, adopted into a shadow root.
declare module '*.css?inline' {
  const css: string;
  export default css;
}

/** opencc-js ships its dictionaries as ES modules exporting one `key value|key value…` string, untyped. */
declare module 'opencc-js/dict/*' {
  const table: string;
  export default table;
}

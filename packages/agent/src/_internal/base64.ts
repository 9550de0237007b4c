/** Standard base64 (RFC 4648 §4, padded) of bytes: the chunk bitmap an acknowledgement carries. */
export function encodeBase64(bytes: Uint8Array): string {
  let binary = '';
  // in slices, so a bitmap of a large image does not exceed the argument limit of fromCharCode
  for (let at = 0; at < bytes.length; at += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(at, at + 0x8000));
  }
  return btoa(binary);
}

/** The bytes of standard base64 text; undefined when it is not base64. */
export function decodeBase64(text: string): Uint8Array<ArrayBuffer> | undefined {
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    return undefined;
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

// The packages suite's images, YANG module and package declarations, and base64 (the wire's encoding of images
// and bitmaps) without a runtime's Buffer.

/** The chunk size every package of the suite is cut into: small, so that a few KiB make many chunks. */
export const CHUNK_SIZE = 256;

/** The app package's module: its configuration container (manual §5.6 item 2). */
export const APP_MODULE = 'cfpkg-app';
export const APP_YANG = `module cfpkg-app {
  namespace "urn:fleetkit:conformance:packages";
  prefix cfapp;
  container settings {
    leaf site { type string; }
    leaf sample-rate { type uint16; }
  }
}`;

/** A package the suite uploads: `create-package`'s params beside the image. */
export interface PackageSpec {
  readonly name: string;
  readonly version: string;
  readonly size: number;
  readonly prerequisites?: readonly string[];
  readonly upgradeFrom?: readonly string[];
  /** The module and container of its configuration. */
  readonly configuration?: { readonly module: string; readonly container: string };
  /** Left off the device type's allowed packages (manual §5.5 item 4). */
  readonly disallowed?: boolean;
}

/** Manual §6.3 Example 1's shape: an app on a library on a base; a firmware and its upgrade; a large image. */
export const PACKAGES: readonly PackageSpec[] = [
  { name: 'base', version: '1.0', size: 700 },
  { name: 'lib', version: '1.0', size: 600, prerequisites: ['base'] },
  {
    name: 'app',
    version: '1.0',
    size: 900,
    prerequisites: ['base', 'lib'],
    configuration: { module: APP_MODULE, container: 'settings' },
  },
  { name: 'image', version: '3.1', size: 24 * CHUNK_SIZE + 100 },
  { name: 'fw', version: '1.0', size: 800 },
  { name: 'fw-next', version: '2.0', size: 850, upgradeFrom: ['fw'] },
  { name: 'stray', version: '1.0', size: 100, disallowed: true },
  { name: 'needs-stray', version: '1.0', size: 100, prerequisites: ['stray'] },
];

/** Standard base64 (RFC 4648 §4) of `bytes`. */
export function encodeBase64(bytes: Uint8Array): string {
  let text = '';
  for (let at = 0; at < bytes.length; at += 0x8000) {
    text += String.fromCharCode(...bytes.subarray(at, at + 0x8000));
  }
  return btoa(text);
}

/** The bytes of standard base64 `text`. */
export function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

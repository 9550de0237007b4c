import * as v from 'valibot';
import { idString } from '../api/params.ts';
import { base64Problem, decodeBase64 } from './base64.ts';
import type { PackageInput } from './upload.ts';

const names = v.array(idString);

/**
 * What create-package and the upload endpoint take besides the image: the
 * 2.x names (`prerequisite-packages`, `upgrade-from-packages`,
 * `yang-specification`, `configuration-container`), the 1.x `dependencies`
 * (`[{package-name}]`), and fleetkit's `version`, `sequence` and `chunk-size`.
 */
export const declarationParams = {
  'package-name': idString,
  version: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(64))),
  sequence: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(Number.MAX_SAFE_INTEGER))),
  'prerequisite-packages': v.optional(names),
  dependencies: v.optional(v.array(v.object({ 'package-name': idString }))),
  'upgrade-from-packages': v.optional(names),
  'yang-specification': v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(256))),
  'configuration-container': v.optional(idString),
  description: v.optional(v.pipe(v.string(), v.maxLength(1024))),
  'chunk-size': v.optional(v.pipe(v.number(), v.integer(), v.minValue(16), v.maxValue(1 << 24))),
};

/** An inline image: standard base64, refused with the reason (a truncated image is not a multiple of 4). */
export const base64Image = v.pipe(
  v.string(),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const problem = base64Problem(dataset.value);
    if (problem !== undefined)
      addIssue({ message: problem, expected: 'base64', received: `${dataset.value.length} characters` });
  }),
  v.transform(decodeBase64),
);

/** The declared params as the upload's input. */
export function declarationOf(p: {
  'package-name': string;
  version?: string | undefined;
  sequence?: number | undefined;
  'prerequisite-packages'?: string[] | undefined;
  dependencies?: { 'package-name': string }[] | undefined;
  'upgrade-from-packages'?: string[] | undefined;
  'yang-specification'?: string | undefined;
  'configuration-container'?: string | undefined;
  description?: string | undefined;
  'chunk-size'?: number | undefined;
}): PackageInput {
  return {
    name: p['package-name'],
    version: p.version,
    sequence: p.sequence,
    prerequisites: [...(p['prerequisite-packages'] ?? []), ...(p.dependencies ?? []).map((d) => d['package-name'])],
    upgradeFrom: p['upgrade-from-packages'] ?? [],
    module: p['yang-specification'],
    configContainer: p['configuration-container'],
    description: p.description,
    chunkSize: p['chunk-size'],
  };
}

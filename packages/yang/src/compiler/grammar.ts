import { YangError, YangErrorCode } from '../errors.ts';
import { type Statement, where } from '../parser/statement.ts';

const META = 'description reference status';
const DATA = 'container leaf leaf-list list choice anydata anyxml uses';
const BODY = `typedef grouping ${DATA} action notification`;
const HEADER =
  'yang-version contact organization description reference revision import include extension feature identity typedef grouping augment deviation rpc notification ' +
  DATA;

// RFC 7950 §14 (and RFC 6020 §12): which substatements each statement allows.
const ALLOWED: Record<string, string> = {
  module: `${HEADER} namespace prefix`,
  submodule: `${HEADER} belongs-to`,
  import: 'prefix revision-date description reference',
  include: 'revision-date description reference',
  revision: 'description reference',
  'belongs-to': 'prefix',
  typedef: `type units default ${META}`,
  type: 'fraction-digits range length pattern enum bit path require-instance base type',
  range: 'error-message error-app-tag description reference',
  length: 'error-message error-app-tag description reference',
  pattern: 'modifier error-message error-app-tag description reference',
  enum: `value if-feature ${META}`,
  bit: `position if-feature ${META}`,
  container: `when if-feature must presence config ${META} ${BODY}`,
  leaf: `when if-feature type units must default config mandatory ${META}`,
  'leaf-list': `when if-feature type units must default config min-elements max-elements ordered-by ${META}`,
  list: `when if-feature must key unique config min-elements max-elements ordered-by ${META} ${BODY}`,
  choice: `when if-feature default config mandatory ${META} case container leaf leaf-list list choice anydata anyxml`,
  case: `when if-feature ${META} ${DATA}`,
  anydata: `when if-feature must config mandatory ${META}`,
  anyxml: `when if-feature must config mandatory ${META}`,
  grouping: `${META} ${BODY}`,
  uses: `when if-feature ${META} refine augment`,
  refine: 'if-feature must presence default config mandatory min-elements max-elements description reference',
  augment: `when if-feature ${META} ${DATA} case action notification`,
  rpc: `if-feature ${META} typedef grouping input output`,
  action: `if-feature ${META} typedef grouping input output`,
  input: `must typedef grouping ${DATA}`,
  output: `must typedef grouping ${DATA}`,
  notification: `if-feature must ${META} typedef grouping ${DATA}`,
  identity: `if-feature base ${META}`,
  feature: `if-feature ${META}`,
  extension: `argument ${META}`,
  argument: 'yin-element',
  deviation: 'description reference deviate',
  deviate: 'units must unique default config mandatory min-elements max-elements type',
  must: 'error-message error-app-tag description reference',
  when: 'description reference',
};
const TABLE = new Map(Object.entries(ALLOWED).map(([keyword, allowed]) => [keyword, new Set(allowed.split(' '))]));
const LEAVES = new Set([
  'yang-version',
  'namespace',
  'prefix',
  'contact',
  'organization',
  'description',
  'reference',
  'revision-date',
  'units',
  'default',
  'status',
  'config',
  'mandatory',
  'presence',
  'ordered-by',
  'min-elements',
  'max-elements',
  'key',
  'unique',
  'fraction-digits',
  'value',
  'position',
  'path',
  'require-instance',
  'base',
  'if-feature',
  'error-message',
  'error-app-tag',
  'modifier',
  'yin-element',
]);
const SINGLE = new Set([
  'yang-version',
  'namespace',
  'prefix',
  'contact',
  'organization',
  'description',
  'reference',
  'units',
  'status',
  'config',
  'mandatory',
  'presence',
  'ordered-by',
  'min-elements',
  'max-elements',
  'key',
  'fraction-digits',
  'value',
  'position',
  'path',
  'require-instance',
  'error-message',
  'error-app-tag',
  'modifier',
  'type',
  'input',
  'output',
  'belongs-to',
  'revision-date',
  'range',
  'length',
  'yin-element',
  'argument',
]);

/** Checks every statement's substatements against RFC 7950 §14; extensions pass through. */
export function checkGrammar(statement: Statement): void {
  const allowed = TABLE.get(statement.keyword);
  if (statement.keyword.includes(':')) return;
  if (allowed === undefined && !LEAVES.has(statement.keyword)) {
    throw new YangError(YangErrorCode.Grammar, `Unknown statement "${statement.keyword}"`, {
      location: where(statement),
    });
  }
  const seen = new Set<string>();
  for (const substatement of statement.subs) {
    if (substatement.keyword.includes(':')) continue;
    if (allowed === undefined || !allowed.has(substatement.keyword)) {
      throw new YangError(
        YangErrorCode.Grammar,
        `Invalid statement "${substatement.keyword}" inside "${statement.keyword}${statement.arg === undefined ? '' : ` ${statement.arg}`}"${allowed === undefined ? '' : ` (RFC 7950 §14 allows: ${[...allowed].join(', ')})`}`,
        { location: where(substatement) },
      );
    }
    if (
      SINGLE.has(substatement.keyword) &&
      seen.has(substatement.keyword) &&
      !(statement.keyword === 'type' && substatement.keyword === 'type')
    ) {
      throw new YangError(
        YangErrorCode.Grammar,
        `Duplicate "${substatement.keyword}" inside "${statement.keyword}${statement.arg === undefined ? '' : ` ${statement.arg}`}": at most one is allowed`,
        { location: where(substatement) },
      );
    }
    seen.add(substatement.keyword);
    checkGrammar(substatement);
  }
}

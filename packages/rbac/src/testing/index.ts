// Contract suite for RBAC stores (imports vitest).
export { describeRbacStore } from './store-suite.ts';

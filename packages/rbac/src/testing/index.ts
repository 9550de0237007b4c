// Contract suite for RBAC stores (imports vitest).
export {
  describeRbacStore,
  type FreshRbac,
  type RbacStoreSuiteContext,
  type RbacStoreSuiteOptions,
} from './store-suite.ts';

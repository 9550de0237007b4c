/** The provisioning key of the benchmark server's device type `meter`. */
export const PROVISIONING_KEY = 'bench-meter-provisioning-key';

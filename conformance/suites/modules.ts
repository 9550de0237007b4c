// The YANG modules the suites upload to their accounts (manual §5.9).

/** Manual §6.3 Example 1: device 1 runs exosense-1.1 (an IP address) … */
export const EXOSENSE_PACKAGE = `module exosense-1.1 {
  namespace "urn:example:exosense-1.1";
  prefix exo11;
  leaf ip_addr { type string { pattern '[0-9.]+'; } }
}`;

/** … and weather_app-1.0 (its location and sample rate). */
export const WEATHER_APP = `module weather_app-1.0 {
  namespace "urn:example:weather_app-1.0";
  prefix weather;
  leaf location { type string; }
  leaf sample_rate { type uint16; }
}`;

/** The device RPCs a backend sends and the RPCs and notifications a device sends (manual §5.4, §5.8 Fig. 2). */
export const RPC_MODULE = 'cftest';
export const RPC_YANG = `module cftest {
  namespace "urn:fleetkit:conformance";
  prefix cf;
  import exosense { prefix exo; }
  revision 2024-01-01;
  rpc beep {
    input { uses exo:std-request; leaf text { type string; } }
    output { leaf echoed { type string; } }
  }
  rpc ping {
    input { leaf device-id { type string; } }
    output { leaf pong { type string; } }
  }
  rpc status-report {
    input { leaf device-id { type string; } leaf level { type uint8; } }
    output { leaf ack { type string; mandatory true; } }
  }
  notification alarm {
    leaf device-id { type string; }
    leaf severity { type enumeration { enum minor; enum major; } }
  }
}`;

/**
 * The built-in `exosense` module every account's YANG modules may import
 * (manual §5.9; docs/sources.md, the real exodm server item 2 lists what it defines): the
 * transaction id, the timer, the status codes, the request and callback
 * groupings device RPCs use, and the extensions device modules annotate
 * RPCs with. Written for fleetkit from that description.
 */
export const EXOSENSE_MODULE = 'exosense';

export const EXOSENSE_YANG = `module exosense {
  yang-version 1;
  namespace "urn:fleetkit:exosense";
  prefix exo;

  description
    "Types, groupings and extensions shared by device modules: what a
     device request carries and what its callbacks report.";

  extension matching-notification {
    description "Names the notification that reports the outcome of this RPC.";
    argument notification;
  }

  extension semantics {
    description "Marks what a leaf means to the server: timeout, schedule or protocol.";
    argument meaning;
  }

  extension rpc-include-module-name {
    description "Asks that the RPC be sent to the device with its module name.";
    argument include;
  }

  typedef transaction-id {
    description "Identifies one transaction of one device or group.";
    type uint64;
  }

  typedef timer {
    description
      "When something expires: milliseconds as a decimal integer, or a
       relative form such as {in 30 sec}.";
    type string {
      length "1..256";
    }
  }

  typedef status-code {
    type enumeration {
      enum accepted {
        value 0;
        description "Operation has been accepted and is in progress.";
      }
      enum complete {
        value 1;
        description "The operation has completed successfully.";
      }
      enum time-out {
        value 2;
        description "The operation did not finish before its timeout.";
      }
      enum device-connected {
        value 3;
        description "The device connected and received the operation.";
      }
      enum device-unknown {
        value 4;
        description "The device is not known.";
      }
      enum device-error {
        value 5;
        description "The device reported an error.";
      }
      enum format-error {
        value 6;
        description "The device could not decode the operation.";
      }
      enum value-error {
        value 7;
        description "The device refused a value of the operation.";
      }
    }
  }

  grouping std-request {
    description "The leaves every device request may carry.";
    leaf timeout {
      description "How long the request may wait for the device.";
      type timer;
      exo:semantics "timeout";
    }
    leaf notification-url {
      description "Where the callbacks of the request are posted.";
      type string {
        length "1..256";
      }
    }
    leaf device-id {
      description "The device, or a device group, the request is for.";
      type string {
        length "1..64";
      }
    }
    leaf transaction-id {
      description "The caller's own id of the request.";
      type transaction-id;
    }
  }

  grouping std-callback {
    description "What a callback reports about a transaction.";
    leaf transaction-id {
      type transaction-id;
    }
    leaf rpc-status {
      type status-code;
    }
    leaf rpc-status-string {
      type string;
    }
    leaf final {
      type boolean;
    }
  }

  grouping configuration-entry {
    description "One named configuration value.";
    leaf name {
      type string;
    }
    anyxml val;
  }
}
`;

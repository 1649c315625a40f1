/** Errors the runtime raises; each says where it happened so a user can find the failing code. */

export class StreamsError extends Error {
  override readonly name: string = 'StreamsError';
}

/** A user function (or a processor) threw while processing a record. */
export class ProcessorError extends StreamsError {
  override readonly name = 'ProcessorError';
  constructor(
    readonly processorName: string,
    readonly taskId: string,
    override readonly cause: unknown,
  ) {
    super(
      `Processor "${processorName}" failed in task ${taskId}: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
}

/** Configuration that cannot work; raised when the app is created, before anything runs. */
export class StreamsConfigError extends StreamsError {
  override readonly name = 'StreamsConfigError';
}

/** Source topics that must exist do not, or co-partitioned topics have different partition counts. */
export class TopologyMismatchError extends StreamsError {
  override readonly name = 'TopologyMismatchError';
}

/** Asked a store that is not there (wrong name, or not hosted here, or the app is not running). */
export class InvalidStateStoreError extends StreamsError {
  override readonly name = 'InvalidStateStoreError';
}

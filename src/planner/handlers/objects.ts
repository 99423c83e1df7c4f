// The handlers of schema-level objects (enums, sequences, functions), triggers and comments, one file each.
import type { ChangeOf } from '../../diff/index.js';
import type { Handler } from '../types.js';
import { addEnumValueHandler } from './add_enum_value.js';
import { alterSequenceHandler } from './alter_sequence.js';
import { createEnumHandler } from './create_enum.js';
import { createFunctionHandler } from './create_function.js';
import { createSequenceHandler } from './create_sequence.js';
import { createTriggerHandler } from './create_trigger.js';
import { dropEnumHandler } from './drop_enum.js';
import { dropFunctionHandler } from './drop_function.js';
import { dropSequenceHandler } from './drop_sequence.js';
import { dropTriggerHandler } from './drop_trigger.js';
import { enableTriggerHandler } from './enable_trigger.js';
import { recreateEnumHandler } from './recreate_enum.js';
import { replaceFunctionHandler } from './replace_function.js';
import { setCommentHandler } from './set_comment.js';

type Kinds =
  | 'create_enum' | 'drop_enum' | 'add_enum_value' | 'recreate_enum'
  | 'create_sequence' | 'drop_sequence' | 'alter_sequence'
  | 'create_function' | 'drop_function' | 'replace_function'
  | 'create_trigger' | 'drop_trigger' | 'enable_trigger'
  | 'set_comment';

export const objectHandlers: { readonly [K in Kinds]: Handler<ChangeOf<K>> } = {
  create_enum: createEnumHandler,
  drop_enum: dropEnumHandler,
  add_enum_value: addEnumValueHandler,
  recreate_enum: recreateEnumHandler,
  create_sequence: createSequenceHandler,
  drop_sequence: dropSequenceHandler,
  alter_sequence: alterSequenceHandler,
  create_function: createFunctionHandler,
  drop_function: dropFunctionHandler,
  replace_function: replaceFunctionHandler,
  create_trigger: createTriggerHandler,
  drop_trigger: dropTriggerHandler,
  enable_trigger: enableTriggerHandler,
  set_comment: setCommentHandler,
};

import { DomainError } from '../errors';

export class NumberExists extends DomainError {
  readonly code = 'number_exists';
  constructor(number: string, where: 'platform' | 'tenant') {
    super(where === 'platform' ? `${number} is already in the platform's inventory` : `${number} is already assigned to this tenant`);
    this.name = 'NumberExists';
    this.details.push({ field: 'number', issue: where === 'platform' ? 'already in inventory' : 'already assigned to this tenant' });
  }
}

/** Another tenant holds the number (or, for the provider deleting it, some tenant does). */
export class NumberTaken extends DomainError {
  readonly code = 'number_taken';
  constructor(number: string) {
    super(`${number} is assigned to a tenant; it must be released first`);
    this.name = 'NumberTaken';
    this.details.push({ field: 'number', issue: 'assigned to another tenant' });
  }
}

/** The number is not in the provider's inventory, so it cannot be assigned. */
export class NumberNotInInventory extends DomainError {
  readonly code = 'number_not_found';
  constructor(number: string) {
    super(`${number} is not in the platform's inventory`);
    this.name = 'NumberNotInInventory';
    this.details.push({ field: 'number', issue: 'not in inventory' });
  }
}

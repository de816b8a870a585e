/** A connection's secrets as stored: one sealed JSON object per row, bound to the row's id. */
import { decryptSecret, SEALED_COLUMNS } from "../secrets";

export function openConnectionSecrets(id: string, sealed: string | null): Record<string, string> {
  return sealed === null ? {} : (JSON.parse(decryptSecret(SEALED_COLUMNS.connectionSecrets, id, sealed)) as Record<string, string>);
}

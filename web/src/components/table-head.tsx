/**
 * A table's column headers as every table here lays them out: text columns first, then the right-aligned
 * numeric ones. A `false` text column is left out (a column shown only sometimes).
 */
export function TableHead({
  text,
  numeric,
}: {
  text: readonly (string | false)[];
  numeric: readonly string[];
}) {
  return (
    <thead>
      <tr>
        {text.map(
          (label) =>
            label !== false && (
              <th scope="col" key={label}>
                {label}
              </th>
            ),
        )}
        {numeric.map((label) => (
          <th scope="col" class="num" key={label}>
            {label}
          </th>
        ))}
      </tr>
    </thead>
  );
}

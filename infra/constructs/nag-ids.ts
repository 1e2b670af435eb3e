// How cdk-nag names a resource in a finding id, for acknowledgements of findings on CloudFormation tokens.

/** A resolved CloudFormation value written the way cdk-nag names it in finding ids (`<LogicalId>`, `<AWS::Region>`). */
export function nagTokenString(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    if (typeof record.Ref === 'string') return `<${record.Ref}>`;
    const getAtt = record['Fn::GetAtt'];
    if (Array.isArray(getAtt)) return `<${getAtt.join('.')}>`;
    const join = record['Fn::Join'];
    if (Array.isArray(join) && Array.isArray(join[1]))
      return join[1].map(nagTokenString).join(String(join[0]));
  }
  return JSON.stringify(value);
}

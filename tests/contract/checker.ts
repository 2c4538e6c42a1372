import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";

/**
 * Checks one HTTP answer against an OpenAPI 3.1 document: the route and method are in it, the
 * status is declared for them, the content type is one the status declares, and a JSON body
 * matches the declared schema (JSON Schema 2020-12, with the document's components).
 */
export interface Observation {
  method: string;
  /** The path template as the document spells it: `/api/tasks/{id}`. */
  path: string;
  status: number;
  contentType: string | null;
  /** The parsed JSON body; undefined when there was none or it was not JSON. */
  body?: unknown;
}

interface Document {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>>;
  components?: unknown;
}

export interface ContractChecker {
  /** What is wrong with the answer; empty when it matches the document. */
  check(observation: Observation): string[];
}

export function createContractChecker(document: unknown): ContractChecker {
  const doc = document as Document;
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  const compiled = new Map<string, ValidateFunction>();
  const validatorFor = (key: string, schema: unknown) => {
    let validate = compiled.get(key);
    if (!validate) {
      // The components ride along so `#/components/schemas/...` resolves inside the schema.
      validate = ajv.compile({ ...(schema as object), components: doc.components });
      compiled.set(key, validate);
    }
    return validate;
  };

  return {
    check({ method, path, status, contentType, body }) {
      const where = `${method} ${path} -> ${status}`;
      const operation = doc.paths[path]?.[method.toLowerCase()];
      if (!operation) return [`${method} ${path} is not in the OpenAPI document`];
      const response = operation.responses[String(status)];
      if (!response) return [`${where}: status ${status} is not declared (declared: ${Object.keys(operation.responses).join(", ")})`];
      const declared = response.content ?? {};
      const mediaType = contentType?.split(";")[0]?.trim().toLowerCase() ?? null;
      if (Object.keys(declared).length === 0) {
        return body === undefined ? [] : [`${where}: a body was sent where the document declares none`];
      }
      if (!mediaType || !declared[mediaType]) return [`${where}: content type ${mediaType ?? "(none)"} is not declared (declared: ${Object.keys(declared).join(", ")})`];
      if (mediaType !== "application/json") return [];
      const validate = validatorFor(`${where} ${mediaType}`, declared[mediaType]!.schema);
      if (validate(body)) return [];
      return (validate.errors ?? []).slice(0, 5).map((error) => `${where}: body${error.instancePath} ${error.message ?? "is invalid"} ${JSON.stringify(error.params)}`);
    },
  };
}

import { escapeXml } from "./soap.js";

export const NUMBER_CONVERSION_NS = "http://www.dataaccess.com/webservicesserver/";

/**
 * The service description, shaped like the public NumberConversion service's: document/literal over SOAP 1.1, with
 * the SOAPAction of each operation being the target namespace followed by the operation name.
 */
export function numberConversionWsdl(location: string): string {
  const ns = NUMBER_CONVERSION_NS;
  const messages = (name: string) => `
  <message name="${name}SoapRequest"><part name="parameters" element="tns:${name}"/></message>
  <message name="${name}SoapResponse"><part name="parameters" element="tns:${name}Response"/></message>`;
  const portOperation = (name: string, doc: string) => `
    <operation name="${name}">
      <documentation>${doc}</documentation>
      <input message="tns:${name}SoapRequest"/>
      <output message="tns:${name}SoapResponse"/>
    </operation>`;
  const bindingOperation = (name: string) => `
    <operation name="${name}">
      <soap:operation soapAction="${ns}${name}" style="document"/>
      <input><soap:body use="literal"/></input>
      <output><soap:body use="literal"/></output>
    </operation>`;
  const words = "Returns the word corresponding to the positive number passed as parameter.";
  const dollars = "Returns the dollar amount of the passed number, in words.";
  return `<?xml version="1.0" encoding="utf-8"?>
<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" xmlns:xs="http://www.w3.org/2001/XMLSchema"
    xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:tns="${ns}"
    name="NumberConversion" targetNamespace="${ns}">
  <types>
    <xs:schema elementFormDefault="qualified" targetNamespace="${ns}">
      <xs:element name="NumberToWords">
        <xs:complexType><xs:sequence><xs:element name="ubiNum" type="xs:unsignedLong"/></xs:sequence></xs:complexType>
      </xs:element>
      <xs:element name="NumberToWordsResponse">
        <xs:complexType><xs:sequence>
          <xs:element name="NumberToWordsResult" type="xs:string"/>
        </xs:sequence></xs:complexType>
      </xs:element>
      <xs:element name="NumberToDollars">
        <xs:complexType><xs:sequence><xs:element name="dNum" type="xs:decimal"/></xs:sequence></xs:complexType>
      </xs:element>
      <xs:element name="NumberToDollarsResponse">
        <xs:complexType><xs:sequence>
          <xs:element name="NumberToDollarsResult" type="xs:string"/>
        </xs:sequence></xs:complexType>
      </xs:element>
    </xs:schema>
  </types>${messages("NumberToWords")}${messages("NumberToDollars")}
  <portType name="NumberConversionSoapType">${portOperation("NumberToWords", words)}${portOperation("NumberToDollars", dollars)}
  </portType>
  <binding name="NumberConversionSoapBinding" type="tns:NumberConversionSoapType">
    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>${bindingOperation("NumberToWords")}${bindingOperation("NumberToDollars")}
  </binding>
  <service name="NumberConversion">
    <documentation>The Number Conversion Web Service: numbers into words or dollar amounts.</documentation>
    <port name="NumberConversionSoap" binding="tns:NumberConversionSoapBinding">
      <soap:address location="${escapeXml(location)}"/>
    </port>
  </service>
</definitions>
`;
}

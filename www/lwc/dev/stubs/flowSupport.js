// Local stand-in for lightning/flowSupport: the event a flow screen component
// fires to tell the flow an output changed.
export class FlowAttributeChangeEvent extends CustomEvent {
    constructor(attributeName, attributeValue) {
        super('lightning__flowattributechange', {
            bubbles: true,
            composed: true,
            cancelable: true,
            detail: { attributeName, attributeValue }
        });
    }
}
